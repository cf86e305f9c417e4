from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from apps.cart import services
from apps.cart.serializers import (
    CartLineSerializer,
    CartTotalSerializer,
    CheckoutSerializer,
    CourseIdSerializer,
    SelectAllSerializer,
    SelectLineSerializer,
)
from extension.response import APIResponse


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CartView(APIView):
    """/cart/: list, add, tick one, tick all, remove one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="购物车列表（已下架的课程会被移出）", responses=CartLineSerializer(many=True))
    def get(self, request):
        lines = services.cart_view(user=request.user)
        return APIResponse(CartLineSerializer(lines, many=True, context={"request": request}).data)

    @extend_schema(summary="添加课程（勾选）", request=CourseIdSerializer, responses=CartTotalSerializer)
    def post(self, request):
        course_id = _validated(CourseIdSerializer, request.data)["course_id"]
        total = services.add_to_cart(user=request.user, course_id=course_id)
        return APIResponse({"cart_total": total}, "添加课程到购物车成功")

    @extend_schema(summary="勾选或取消勾选一门课程", request=SelectLineSerializer, responses=CartTotalSerializer)
    def patch(self, request):
        data = _validated(SelectLineSerializer, request.data)
        total = services.select_line(user=request.user, course_id=data["course_id"], selected=data["selected"])
        return APIResponse({"cart_total": total}, "切换勾选状态成功")

    @extend_schema(summary="全选或全不选", request=SelectAllSerializer, responses=CartTotalSerializer)
    def put(self, request):
        selected = _validated(SelectAllSerializer, request.data)["selected"]
        total = services.select_all(user=request.user, selected=selected)
        return APIResponse({"cart_total": total}, "切换勾选状态成功")

    @extend_schema(summary="删除一门课程", parameters=[CourseIdSerializer], responses={200: CartTotalSerializer})
    def delete(self, request):
        course_id = _validated(CourseIdSerializer, request.query_params)["course_id"]
        total = services.remove_line(user=request.user, course_id=course_id)
        return APIResponse({"cart_total": total}, "删除课程成功")


class CheckoutView(APIView):
    """/cart/order/: the selected lines for the order page."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="结算页：已勾选的课程、总价、实付价与可用积分", responses=CheckoutSerializer)
    def get(self, request):
        checkout = services.checkout_view(user=request.user)
        return APIResponse(CheckoutSerializer(checkout, context={"request": request}).data)
