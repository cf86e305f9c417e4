from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny

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
from extension.pagination import StandardPagination
from extension.response import APIResponse
from extension.viewsets import APIViewSet, OwnedObjectMixin


class OrderViewSet(OwnedObjectMixin, APIViewSet):
    """The caller's orders: create, list, cancel, delete, recover (routes in apps/orders/urls.py)."""

    owner_selector = staticmethod(get_user_order)
    owner_arguments = {"pk": "order_id"}
    pagination_class = StandardPagination
    serializer_class = OrderListSchemaSerializer  # the listing's schema; its answer is built from plain rows

    @extend_schema(
        summary="提交订单（购物车中已勾选的课程，可用优惠券与积分）",
        request=OrderCreateSerializer,
        responses={201: OrderCreatedSerializer},
    )
    def create(self, request):
        """POST /order/ — order the selected cart lines."""
        order = create_order(user=request.user, **self.validated(OrderCreateSerializer, request.data))
        data = {
            "id": order.id,
            "order_number": order.order_number,
            "order_timeout": settings.ORDER_TIMEOUT,
            "order_status": order.order_status,  # 1 when discounts covered the whole price
        }
        return APIResponse(data, "下单成功", status=status.HTTP_201_CREATED)

    @extend_schema(summary="我的订单（按状态、订单号、日期筛选，分页）", parameters=[OrderListFilterSerializer])
    def list(self, request):
        """GET /order/list/ — the caller's orders, newest first."""
        orders = order_list(user=request.user, **order_list_filters(request.query_params))
        page = self.paginate_queryset(orders)
        return self.get_paginated_response(order_list_items(page, request))

    @extend_schema(summary="取消未支付的订单", request=None, responses={200: OpenApiResponse(description="订单已取消")})
    @action(detail=True, methods=["put"])
    def cancel(self, request, pk):
        """PUT /order/<id>/ — cancel the caller's unpaid order (someone else's is a 404)."""
        cancel_order(order_id=pk, owner_id=request.user.pk)
        return APIResponse(None, "订单已取消")

    @extend_schema(summary="删除已取消或已超时的订单", responses={200: OpenApiResponse(description="订单已删除")})
    def destroy(self, request, pk):
        """DELETE /order/<id>/ — hide the caller's ended (cancelled or timed-out) order."""
        delete_order(order_id=self.get_object().id)
        return APIResponse(None, "订单已删除")

    @extend_schema(
        summary="订单恢复：把已取消或已超时订单的课程加回购物车", request=None, responses=RecoverResultSerializer
    )
    @action(detail=True, methods=["post"])
    def recover(self, request, pk):
        """POST /order/<id>/recover/ — put an ended order's courses back into the cart."""
        return APIResponse(recover_order(order=self.get_object()), "课程已重新加入购物车")


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


class OrderStatusViewSet(APIViewSet):
    """The order statuses, for anyone."""

    permission_classes = [AllowAny]

    @extend_schema(summary="订单状态列表", responses={200: STATUS_CHOICES_SCHEMA})
    @action(detail=False, methods=["get"])
    def statuses(self, request):
        """GET /order/pay/status/ — the order statuses, [[0, "未支付"], …]."""
        return APIResponse([list(choice) for choice in Order.Status.choices])
