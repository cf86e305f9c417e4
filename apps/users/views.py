from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from apps.users.serializers import (
    LoginPayloadSerializer,
    LoginSerializer,
    RefreshSerializer,
    RegisterSerializer,
    UserInfoSerializer,
)
from apps.users.services import register_user, update_profile
from apps.users.throttles import AvatarUploadThrottle, LoginAccountThrottle
from apps.users.tokens import login_payload
from extension.response import APIResponse


@extend_schema(summary="登录（用户名、手机号或邮箱 + 密码）", responses={200: LoginPayloadSerializer})
class LoginView(TokenObtainPairView):
    """POST /user/login/ — answers the plain object the client reads as `response.data.token`."""

    serializer_class = LoginSerializer
    throttle_classes = [ScopedRateThrottle, LoginAccountThrottle]  # per IP, per account
    throttle_scope = "login"

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)  # a wrong password raises: 401
        LoginAccountThrottle.forget(request.data["username"])
        return response


@extend_schema(summary="刷新访问令牌")
class RefreshView(TokenRefreshView):
    """POST /user/token/refresh/ — simplejwt's plain answer."""

    serializer_class = RefreshSerializer


class RegisterView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(
        summary="注册（手机号 + 密码），成功后即登录",
        request=RegisterSerializer,
        responses={201: LoginPayloadSerializer},
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = register_user(mobile=serializer.validated_data["mobile"], password=serializer.validated_data["password"])
        return APIResponse(login_payload(user), "注册成功", status=status.HTTP_201_CREATED)


class UserInfoView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [AvatarUploadThrottle]
    serializer_class = UserInfoSerializer

    @extend_schema(summary="个人信息")
    def get(self, request):
        return APIResponse(UserInfoSerializer(request.user).data)

    @extend_schema(summary="修改个人信息（昵称、头像、性别、职位、城市、签名）")
    def patch(self, request):
        serializer = UserInfoSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = update_profile(user=request.user, changes=serializer.validated_data)
        return APIResponse(UserInfoSerializer(user).data, "修改成功")
