"""Paid orders made the real way (cart → create_order with a coupon and credit → Alipay's notify),
and the books every refund test checks from the database afterwards."""

from decimal import Decimal

from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.orders.services import cancel_order
from apps.payments.models import Payment, Refund
from apps.payments.services import handle_notify
from apps.payments.tests.fake_alipay import notify_params
from apps.users.models import Credit, MoneyLog, User, UserCourse
from apps.users.services import give_credit
from apps.users.tests.factories import UserFactory
from tests import builders

ZERO = Decimal("0.00")


def customer(credit: int = 100) -> User:
    """A customer whose credit came through the ledger (so the ledger sums to the balance)."""
    user = UserFactory()
    give_credit(user_id=user.pk, amount=credit, remark="测试赠送", operation=Credit.Operation.EARN)
    return user


def unpaid_order(*, credit: int = 100):
    """(user, order, coupon record): a ledger customer's unpaid order of a 300.00 course that used
    a coupon and `credit` credit."""
    return builders.unpaid_order(customer(credit), credit=credit, courses=[CourseFactory(price="300.00", credit=100)])


def paid_order(alipay_key, *, credit: int = 100):
    """(user, order, coupon record, the notify that paid it): paid through Alipay's notify."""
    user, order, log = unpaid_order(credit=credit)
    params = notify_params(order, alipay_key)
    assert handle_notify(params) == "paid"
    order.refresh_from_db()
    return user, order, log, params


def late_payment(alipay_key) -> Payment:
    """A payment that arrived after its order was cancelled: recorded REFUND_REQUIRED."""
    _, order, _ = unpaid_order()
    cancel_order(order_id=order.pk)
    assert handle_notify(notify_params(order, alipay_key)) == "closed"
    return Payment.objects.get(order=order)


def assert_books_balance(*, refunded_at_gateway: Decimal, refunds_at_gateway: int) -> None:
    """From the database: every yuan collected is a paid order, a refund issued, or one still owed;
    what the gateway paid out is exactly the refunds recorded (one per payment); every user's
    credit and money ledgers sum to the balances; refunded orders' courses are gone."""
    payments = list(Payment.objects.all())
    collected = sum((p.amount for p in payments), ZERO)
    paid_orders = sum(
        (o.real_price for o in Order.objects.filter(order_status=Order.Status.PAID, pay_type=Order.PayType.ALIPAY)),
        ZERO,
    )
    issued = list(Refund.objects.filter(status=Refund.Status.REFUNDED, channel=Refund.Channel.ALIPAY))
    issued_sum = sum((r.amount for r in issued), ZERO)
    owed = sum((p.amount for p in payments if p.status == Payment.Status.REFUND_REQUIRED), ZERO)
    # a requested refund 退款中 still has its payment PAID while its order is PAID
    assert collected == paid_orders + issued_sum + owed, (collected, paid_orders, issued_sum, owed)
    assert {p.pk for p in payments if p.status == Payment.Status.REFUNDED} == {r.payment_id for r in issued}
    assert len({r.payment_id for r in issued}) == len(issued)  # one refund per payment
    assert (refunded_at_gateway, refunds_at_gateway) == (issued_sum, len(issued))
    for user in User.objects.all():
        credit = sum(Credit.objects.filter(user=user).values_list("number", flat=True))
        money = sum(MoneyLog.objects.filter(user=user).values_list("amount", flat=True), ZERO)
        assert (user.credit, user.money) == (credit, money), user.pk
    refunded = Order.objects.filter(order_status=Order.Status.REFUNDED)
    for order in refunded:
        courses = order.order_courses.values_list("course_id", flat=True)
        assert not UserCourse.objects.filter(user_id=order.user_id, course_id__in=courses).exists()
        assert Refund.objects.filter(order=order, status=Refund.Status.REFUNDED, kind="requested").count() == 1
