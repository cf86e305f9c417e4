"""The order every money test starts from, built one way: an unpaid order placed the real way
(courses selected in the cart, then the order service) that used a coupon and credit; and the
check that such orders, once left unpaid, gave both back exactly once."""

from typing import NamedTuple

from apps.cart import redis_store
from apps.coupon import redis_store as coupon_store
from apps.coupon.models import CouponLog
from apps.coupon.services import mirror_coupon_logs
from apps.coupon.tests.factories import CouponLogFactory
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.orders.services import create_order
from apps.orders.tests.factories import make_overdue
from apps.users.models import Credit, User
from apps.users.tests.factories import UserFactory


class PlacedOrder(NamedTuple):
    user: User
    order: Order
    log: CouponLog | None  # the coupon record the order used


def unpaid_order(
    user: User | None = None,
    *,
    credit: int = 100,
    coupon: bool = True,
    mirror: bool = False,
    courses=None,
    pay_type: int = Order.PayType.ALIPAY,
    overdue: bool = False,
) -> PlacedOrder:
    """An unpaid order of `user` (default: a new customer holding exactly `credit` credit) for
    `courses` (default: one on which 100 credit is usable), selected in the cart and ordered by
    `create_order` with `credit` credit and, unless `coupon=False`, a new coupon record of the
    user's (`mirror=True`: copied to Redis first, as the admin does). `overdue=True` backdates it
    past ORDER_TIMEOUT. Run it inside `django_capture_on_commit_callbacks` where the test needs
    the order's after-commit effects (cart lines removed, countdown scheduled)."""
    user = user or UserFactory(credit=credit)
    log = CouponLogFactory(user=user) if coupon else None
    if log and mirror:
        mirror_coupon_logs([log.id])
    courses = [CourseFactory(credit=100)] if courses is None else courses
    redis_store.add_lines(user.id, [course.id for course in courses])
    with_coupon = {"user_coupon_id": log.id} if log else {}
    order = create_order(user=user, pay_type=pay_type, credit=credit, **with_coupon)
    if overdue:
        make_overdue(order)
    return PlacedOrder(user, order, log)


def assert_given_back_once(placed: list[PlacedOrder]) -> None:
    """Each order (placed by `unpaid_order()` with its defaults) left unpaid gave back, exactly
    once, the 100 credit it used (one refund line naming the order) and its coupon (free again and
    back in the customer's coupons in Redis); nobody holds more credit than that in all."""
    for user, order, log in placed:
        user.refresh_from_db()
        log.refresh_from_db()
        assert user.credit == 100
        refunds = Credit.objects.filter(user=user, operation=Credit.Operation.REFUND)
        assert [(r.number, order.order_number in r.remark) for r in refunds] == [(100, True)]
        assert log.order_id is None and log.use_status == CouponLog.UseStatus.UNUSED
        assert [r["user_coupon_id"] for r in coupon_store.read_all(user.id)] == [log.id]
    assert sum(User.objects.values_list("credit", flat=True)) == 100 * len(placed)
