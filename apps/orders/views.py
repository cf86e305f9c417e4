from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from apps.orders.models import Order
from apps.orders.selectors import get_user_order, order_list
from apps.orders.serializers import (
    OrderCreatedSerializer,
    OrderCreateSerializer,
    OrderListFilterSerializer,
    OrderListSchemaSerializer,
    RecoverResultSerializer,
    order_list_filters,
    order_list_items,
)
from apps.orders.services import cancel_order, create_order, delete_order, recover_order
from extension.response import APIResponse


class OrderCreateView(APIView):
    """POST /order/ — order the selected cart lines."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="提交订单（购物车中已勾选的课程，可用优惠券与积分）",
        request=OrderCreateSerializer,
        responses={201: OrderCreatedSerializer},
    )
    def post(self, request):
        params = OrderCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        order = create_order(user=request.user, **params.validated_data)
        data = {
            "id": order.id,
            "order_number": order.order_number,
            "order_timeout": settings.ORDER_TIMEOUT,
            "order_status": order.order_status,  # 1 when discounts covered the whole price
        }
        return APIResponse(data, "下单成功", status=status.HTTP_201_CREATED)


STATUS_CHOICES_SCHEMA = {
    "type": "array",
    "items": {
        "type": "array",
        "items": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
        "minItems": 2,
        "maxItems": 2,
    },
    "example": [[0, "未支付"], [1, "已支付"], [2, "已取消"], [3, "已超时"], [4, "已退款"]],
}


class OrderPayStatusView(APIView):
    """GET /order/pay/status/ — the order statuses, [[0, "未支付"], …]."""

    @extend_schema(summary="订单状态列表", responses={200: STATUS_CHOICES_SCHEMA})
    def get(self, request):
        return APIResponse([list(choice) for choice in Order.Status.choices])


@extend_schema(summary="我的订单（按状态、订单号、日期筛选，分页）", parameters=[OrderListFilterSerializer])
class OrderListView(ListAPIView):
    """GET /order/list/ — the caller's orders, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrderListSchemaSerializer  # the schema; the answer is built from plain rows

    def list(self, request):
        orders = order_list(user=request.user, **order_list_filters(request.query_params))
        page = self.paginate_queryset(orders)
        return self.get_paginated_response(order_list_items(page, request))


class OrderView(APIView):
    """PUT /order/<id>/ cancels the caller's unpaid order; DELETE hides an ended one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="取消未支付的订单", request=None, responses={200: OpenApiResponse(description="订单已取消")})
    def put(self, request, pk):
        order = get_user_order(user=request.user, order_id=pk)
        cancel_order(order_id=order.id)
        return APIResponse(None, "订单已取消")

    @extend_schema(summary="删除已取消或已超时的订单", responses={200: OpenApiResponse(description="订单已删除")})
    def delete(self, request, pk):
        order = get_user_order(user=request.user, order_id=pk)
        delete_order(order_id=order.id)
        return APIResponse(None, "订单已删除")


class OrderRecoverView(APIView):
    """POST /order/<id>/recover/ — put an ended order's courses back into the cart."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="订单恢复：把已取消或已超时订单的课程加回购物车", request=None, responses=RecoverResultSerializer
    )
    def post(self, request, pk):
        order = get_user_order(user=request.user, order_id=pk)
        return APIResponse(recover_order(order=order), "课程已重新加入购物车")
