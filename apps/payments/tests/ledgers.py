"""The money invariants, read back from the database (SPEC §9.4): every yuan the gateway collected
is a paid order, a top-up, or a refund issued or pending; the balance and credit ledgers add up to
the balances line by line."""

from decimal import Decimal

from django.db.models import Sum

from apps.orders.models import Order
from apps.payments.models import Payment, Recharge
from apps.users.models import Credit, MoneyLog, User

ZERO = Decimal("0.00")


def fund(user, amount) -> None:
    """Give a test user a balance through the one writer (so its ledger line exists)."""
    from apps.users.services import change_money

    change_money(user_id=user.pk, amount=Decimal(amount), operation=MoneyLog.Operation.ADJUST, remark="test funds")


def assert_money_ledger(user) -> Decimal:
    """MoneyLog sums to User.money and each line's balance_after is the running total."""
    money = User.objects.values_list("money", flat=True).get(pk=user.pk)
    running = ZERO
    for amount, balance_after in (
        MoneyLog.objects.filter(user=user).order_by("pk").values_list("amount", "balance_after")
    ):
        running += amount
        assert balance_after == running, (balance_after, running)
        assert balance_after >= ZERO
    assert running == money, (running, money)
    return money


def assert_credit_ledger(user, initial_credit: int = 0) -> int:
    credit = User.objects.values_list("credit", flat=True).get(pk=user.pk)
    total = Credit.objects.filter(user=user).aggregate(total=Sum("number"))["total"] or 0
    assert initial_credit + total == credit, (initial_credit, total, credit)
    return credit


def assert_money_accounted(user) -> None:
    """Collected by Alipay (payments + credited top-ups) = paid Alipay orders + top-ups + refunds
    issued or pending; balance-paid orders each have exactly one PAY ledger line of their price."""
    payments = Payment.objects.filter(order__user=user)
    collected = (payments.aggregate(total=Sum("amount"))["total"] or ZERO) + (
        Recharge.objects.filter(user=user, status=Recharge.Status.PAID).aggregate(total=Sum("amount"))["total"] or ZERO
    )
    paid_orders = Order.objects.filter(user=user, order_status=Order.Status.PAID, pay_type=Order.PayType.ALIPAY)
    for order in paid_orders.filter(real_price__gt=0):
        assert payments.filter(order=order, status=Payment.Status.PAID).count() == 1, order.order_number
    refunds = payments.filter(status__in=[Payment.Status.REFUND_REQUIRED, Payment.Status.REFUNDED])
    for payment in refunds:
        assert payment.order.order_status != Order.Status.PAID or payment.order.trade_no != payment.trade_no
    top_ups = Recharge.objects.filter(user=user, status=Recharge.Status.PAID)
    accounted = (
        (paid_orders.aggregate(total=Sum("real_price"))["total"] or ZERO)
        + (top_ups.aggregate(total=Sum("amount"))["total"] or ZERO)
        + (refunds.aggregate(total=Sum("amount"))["total"] or ZERO)
    )
    assert collected == accounted, (collected, accounted)
    for recharge in top_ups:
        assert (
            MoneyLog.objects.filter(
                user=user, operation=MoneyLog.Operation.RECHARGE, remark__contains=recharge.recharge_number
            ).count()
            == 1
        )
    for order in Order.objects.filter(user=user, pay_type=Order.PayType.BALANCE):
        lines = MoneyLog.objects.filter(
            user=user, operation=MoneyLog.Operation.PAY, remark__contains=order.order_number
        )
        if order.order_status == Order.Status.PAID and order.real_price > 0:
            assert list(lines.values_list("amount", flat=True)) == [-order.real_price]
        else:
            assert not lines.exists()


def assert_ledgers(user, initial_credit: int = 0) -> None:
    assert_money_ledger(user)
    assert_credit_ledger(user, initial_credit)
    assert_money_accounted(user)
