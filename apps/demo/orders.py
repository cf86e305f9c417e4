"""Demo orders for the demo user, one in every status, so "my orders" has something to show."""

from datetime import timedelta

from django.utils import timezone

from apps.cart.services import add_courses, empty_cart, restore_lines, saved_lines
from apps.orders.models import Order
from apps.orders.services import cancel_order, create_order, expire_orders, pay_order
from apps.users.selectors import owned_course_ids


def seed_orders(user, courses, stdout=None) -> None:
    """Once: a paid, a cancelled, a timed-out and an unpaid order (it times out by itself)."""
    if Order.objects.filter(user=user).exists():
        return
    owned = owned_course_ids(user_id=user.id)
    candidates = [course for course in courses if course.id not in owned][-4:]
    if len(candidates) < 4:
        return
    saved_cart = saved_lines(user_id=user.id)
    empty_cart(user_id=user.id)

    def order_of(course):
        # seed_demo runs in one transaction: the previous order's cart clean-up waits for its
        # commit, so empty the cart here to order exactly this course
        empty_cart(user_id=user.id)
        add_courses(user_id=user.id, course_ids=[course.id])
        return create_order(user=user, pay_type=Order.PayType.ALIPAY)

    paid, cancelled, timed_out, unpaid = (order_of(course) for course in candidates)
    pay_order(order_id=paid.id, trade_no="DEMO-" + paid.order_number)
    cancel_order(order_id=cancelled.id)
    Order.objects.filter(pk=timed_out.pk).update(created_time=timezone.now() - timedelta(days=1))
    expire_orders(order_ids=[timed_out.id])
    restore_lines(user_id=user.id, lines=saved_cart)
    if stdout:
        stdout.write(f"orders: 4 for {user.username} (paid, cancelled, timed out, unpaid {unpaid.order_number})")
