from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

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
from extension.viewsets import APIViewSet


class CartViewSet(APIViewSet):
    """The caller's cart (routes in apps/cart/urls.py)."""

    @extend_schema(summary="购物车列表（已下架的课程会被移出）", responses=CartLineSerializer(many=True))
    def list(self, request):
        """GET /cart/ — the cart's lines."""
        lines = services.cart_view(user=request.user)
        return APIResponse(CartLineSerializer(lines, many=True, context={"request": request}).data)

    @extend_schema(summary="添加课程（勾选）", request=CourseIdSerializer, responses=CartTotalSerializer)
    @action(detail=False, methods=["post"])
    def add(self, request):
        """POST /cart/ — add a course, ticked."""
        course_id = self.validated(CourseIdSerializer, request.data)["course_id"]
        total = services.add_to_cart(user=request.user, course_id=course_id)
        return APIResponse({"cart_total": total}, "添加课程到购物车成功")

    @extend_schema(summary="勾选或取消勾选一门课程", request=SelectLineSerializer, responses=CartTotalSerializer)
    @action(detail=False, methods=["patch"])
    def select(self, request):
        """PATCH /cart/ — tick or untick one line."""
        data = self.validated(SelectLineSerializer, request.data)
        total = services.select_line(user=request.user, course_id=data["course_id"], selected=data["selected"])
        return APIResponse({"cart_total": total}, "切换勾选状态成功")

    @extend_schema(summary="全选或全不选", request=SelectAllSerializer, responses=CartTotalSerializer)
    @action(detail=False, methods=["put"])
    def select_all(self, request):
        """PUT /cart/ — tick or untick every line."""
        selected = self.validated(SelectAllSerializer, request.data)["selected"]
        total = services.select_all(user=request.user, selected=selected)
        return APIResponse({"cart_total": total}, "切换勾选状态成功")

    @extend_schema(summary="删除一门课程", parameters=[CourseIdSerializer], responses={200: CartTotalSerializer})
    @action(detail=False, methods=["delete"])
    def remove(self, request):
        """DELETE /cart/?course_id= — remove one line."""
        course_id = self.validated(CourseIdSerializer, request.query_params)["course_id"]
        total = services.remove_line(user=request.user, course_id=course_id)
        return APIResponse({"cart_total": total}, "删除课程成功")

    @extend_schema(summary="结算页：已勾选的课程、总价、实付价与可用积分", responses=CheckoutSerializer)
    @action(detail=False, methods=["get"])
    def checkout(self, request):
        """GET /cart/order/ — the selected lines for the order page."""
        checkout = services.checkout_view(user=request.user)
        return APIResponse(CheckoutSerializer(checkout, context={"request": request}).data)
