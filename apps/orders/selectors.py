"""Reads of orders that views, payments and the admin share."""

from django.db.models import Prefetch

from apps.orders.exceptions import OrderNotFound
from apps.orders.models import Order, OrderDetail


def visible_orders(user):
    """The user's own orders, as the user may see them (not deleted, shown)."""
    return Order.objects.filter(user=user, is_deleted=False, is_show=True)


def get_user_order(*, user, order_id: int | None = None, order_number: str | None = None) -> Order:
    """The user's own visible order by id or number; someone else's or a missing one is a 404
    (never 403, so ids cannot be probed)."""
    lookup = {"pk": order_id} if order_id is not None else {"order_number": order_number}
    order = visible_orders(user).filter(**lookup).first()
    if order is None:
        raise OrderNotFound()
    return order


def get_order_by_number(order_number: str) -> Order | None:
    """Any order with this number — deleted or hidden ones too: money Alipay reports for it must
    still be recorded. Only for Alipay's signed messages; customers go through get_user_order."""
    if not order_number or len(order_number) > 64:
        return None
    return Order.objects.filter(order_number=order_number).first()


def order_list(*, user, status=None, order_number=None, created_from=None, created_before=None):
    """ "My orders", newest first, with details, their courses and the coupon in three queries
    whatever the page size (count, orders + coupon, details + course)."""
    queryset = visible_orders(user).select_related("user_coupon__coupon")
    if status is not None:
        queryset = queryset.filter(order_status=status)
    if order_number:
        queryset = queryset.filter(order_number__startswith=order_number)
    if created_from is not None:
        queryset = queryset.filter(created_time__gte=created_from)
    if created_before is not None:
        queryset = queryset.filter(created_time__lt=created_before)
    details = OrderDetail.objects.select_related("course").order_by("id")
    return queryset.prefetch_related(Prefetch("order_courses", queryset=details)).order_by("-id")
