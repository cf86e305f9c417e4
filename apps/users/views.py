from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from apps.users.selectors import credit_ledger, money_ledger
from apps.users.serializers import (
    CreditFilterSerializer,
    CreditLogSerializer,
    LoginPayloadSerializer,
    LoginSerializer,
    MoneyLogSerializer,
    RefreshSerializer,
    RegisterSerializer,
    UserInfoSerializer,
)
from apps.users.services import register_user, update_profile
from apps.users.throttles import AvatarUploadThrottle, LoginAccountThrottle
from apps.users.tokens import login_payload
from extension.pagination import StandardPagination
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


class CreditLedgerView(ListAPIView):
    """GET /user/credit/?operation= — the caller's credit history, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = CreditLogSerializer

    @extend_schema(summary="我的积分流水（最新在前）", parameters=[CreditFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = CreditFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        operation = params.validated_data.get("operation")
        return credit_ledger(user_id=self.request.user.id, operation=operation if operation != "" else None)


class BalancePagination(StandardPagination):
    """The ledger's page with the balance beside it: data = {money, count, next, previous, results}."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["data"] = {"money": f"{self.request.user.money:.2f}", **response.data["data"]}
        return response

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"] = {"money": {"type": "string", "example": "100.00"}, **answer["properties"]}
        answer["required"] = ["money", *answer.get("required", [])]
        return answer


class BalanceView(ListAPIView):
    """GET /user/balance/ — the caller's balance (余额) and its ledger page, newest first. Read-only
    here: the balance moves through apps/users/services.py (top-ups, balance payments, refunds)."""

    permission_classes = [IsAuthenticated]
    serializer_class = MoneyLogSerializer
    pagination_class = BalancePagination

    @extend_schema(summary="我的余额与余额流水（最新在前）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return money_ledger(user_id=self.request.user.id)
