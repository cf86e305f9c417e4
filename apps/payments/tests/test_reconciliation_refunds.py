"""The daily reconciliation of refunds (SPEC §9.4): every refund of the day that may have reached
Alipay (退款中, 已退款, 退款失败) is compared with alipay.trade.fastpay.refund.query by
(out_trade_no, out_request_no), against the local sandbox, which answers as Alipay does."""

import logging
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.orders.models import Order
from apps.payments import refunds
from apps.payments.channel import get_gateway
from apps.payments.models import Mismatch, Payment, Refund
from apps.payments.reconciliation import reconcile_day
from apps.payments.redis_store import SANDBOX_REFUND_KEY, SANDBOX_REFUNDED_CENTS_KEY
from apps.payments.sandbox import SandboxGateway
from apps.payments.tasks import reconcile_alipay
from apps.payments.tests.factories import OrderFactory
from apps.payments.tests.ledgers import assert_ledgers
from apps.users.tests.factories import UserFactory
from extension import metrics

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox(sandbox_settings, monkeypatch):
    """The sandbox gateway; `sandbox.asked` lists the out_request_nos the refund query was asked about."""
    gateway = get_gateway()
    assert gateway.is_sandbox
    asked = []
    original = SandboxGateway.refund_query

    def refund_query(self, **trade):
        asked.append(trade["out_request_no"])
        return original(self, **trade)

    monkeypatch.setattr(SandboxGateway, "refund_query", refund_query)
    gateway.asked = asked
    yield gateway
    gateway.set_unreachable(False)


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def today():
    return timezone.localdate()


def paid_order(user, **fields):
    """A paid Alipay order and the Payment the sandbox answers trade queries from."""
    order = OrderFactory(user=user, order_status=Order.Status.PAID, pay_time=timezone.now(), **fields)
    trade_no = f"SANDBOX{order.order_number}"
    Order.objects.filter(pk=order.pk).update(trade_no=trade_no)
    order.refresh_from_db()
    payment = Payment.objects.create(
        order=order,
        out_trade_no=order.order_number,
        trade_no=trade_no,
        amount=order.real_price,
        status=Payment.Status.PAID,
        source=Payment.Source.NOTIFY,
        paid_at=timezone.now(),
    )
    return order, payment


def approved(order, staff) -> Refund:
    refund = refunds.request_refund(user=order.user, order=order, reason="不想学了")
    return refunds.approve_refund(refund_id=refund.pk, staff=staff)


def late_payment(user) -> Payment:
    order = OrderFactory(user=user, order_status=Order.Status.TIMEOUT)
    return Payment.objects.create(
        order=order,
        out_trade_no=order.order_number,
        trade_no=f"SANDBOX{order.order_number}",
        amount=order.real_price,
        status=Payment.Status.REFUND_REQUIRED,
        source=Payment.Source.NOTIFY,
        paid_at=timezone.now(),
    )


def mismatches():
    return set(Mismatch.objects.values_list("kind", "out_trade_no", "out_request_no"))


def test_refunds_that_agree_with_alipay_record_nothing(sandbox, user, staff):
    """Refunded at Alipay and here (a requested one and an automatic one), never sent (退款中 while
    Alipay was down) and refused (退款失败): all agree. Pending and rejected requests and balance
    refunds never went to Alipay and are not asked about."""
    requested = approved(paid_order(user)[0], staff)
    automatic = refunds.refund_required_payment(payment_id=late_payment(user).pk)
    sandbox.set_unreachable(True)
    in_flight = approved(paid_order(user)[0], staff)
    sandbox.set_unreachable(False)
    failing = refunds.request_refund(user=user, order=paid_order(user)[0], reason="重复购买")
    Refund.objects.filter(pk=failing.pk).update(status=Refund.Status.REFUNDING)
    failed = refunds._fail(failing.pk, "ACQ.TRADE_HAS_FINISHED")
    pending = refunds.request_refund(user=user, order=paid_order(user)[0], reason="稍后审核")
    to_reject = refunds.request_refund(user=user, order=paid_order(user)[0], reason="x")
    rejected = refunds.reject_refund(refund_id=to_reject.pk, staff=staff, reason="不符")
    balance_order = OrderFactory(user=user, order_status=Order.Status.PAID, pay_time=timezone.now(), pay_type=2)
    by_balance = approved(balance_order, staff)
    statuses = [r.status for r in (requested, automatic, in_flight, failed, pending, rejected, by_balance)]
    assert statuses == [2, 2, 1, 4, 0, 3, 2]
    assert sandbox.asked == []

    report = reconcile_day(today())

    assert Mismatch.objects.count() == 0 and report.mismatches == [] and not report.unchecked
    assert sandbox.asked == [r.out_request_no for r in (requested, automatic, in_flight, failed)]
    assert report.checked == Payment.objects.count() + 4
    assert_ledgers(user, initial_credit=1000)


def test_a_refund_we_recorded_that_alipay_does_not_have(sandbox, user, staff, caplog):
    order, payment = paid_order(user)
    refund = approved(order, staff)
    cache.delete_many(
        [SANDBOX_REFUND_KEY.format(refund.out_request_no), SANDBOX_REFUNDED_CENTS_KEY.format(payment.trade_no)]
    )
    before = metrics.RECONCILE_MISMATCHES.labels(Mismatch.Kind.REFUND_MISSING_AT_ALIPAY)._value.get()

    with caplog.at_level(logging.ERROR, logger="fsapi.payments"):
        reconcile_day(today())
        reconcile_day(today())  # again: recorded once

    assert mismatches() == {
        (Mismatch.Kind.REFUND_MISSING_AT_ALIPAY, order.order_number, refund.out_request_no),
        (Mismatch.Kind.REFUND_NOT_AT_ALIPAY, order.order_number, ""),  # and the trade is still paid
    }
    mismatch = Mismatch.objects.get(kind=Mismatch.Kind.REFUND_MISSING_AT_ALIPAY)
    assert mismatch.trade_no == payment.trade_no and "已退款" in mismatch.ours
    assert f"RECONCILIATION MISMATCH {today()} refund_missing_at_alipay: {order.order_number} refund" in caplog.text
    assert caplog.text.count("refund_missing_at_alipay") == 1
    assert metrics.RECONCILE_MISMATCHES.labels(Mismatch.Kind.REFUND_MISSING_AT_ALIPAY)._value.get() == before + 1


def test_a_refund_alipay_made_of_another_amount(sandbox, user, staff):
    order, payment = paid_order(user)
    refund = approved(order, staff)
    key = SANDBOX_REFUND_KEY.format(refund.out_request_no)
    cache.set(key, {**cache.get(key), "refund_fee": "1.00"}, timeout=None)

    reconcile_day(today())

    mismatch = Mismatch.objects.get()
    assert (mismatch.kind, mismatch.out_trade_no, mismatch.out_request_no) == (
        Mismatch.Kind.REFUND_AMOUNT_DIFFERS,
        order.order_number,
        refund.out_request_no,
    )
    assert "1.00" in mismatch.detail and f"{refund.amount}" in mismatch.detail
    assert mismatch.alipay["refund_amount"] == "1.00"


@pytest.mark.parametrize("ours", [Refund.Status.FAILED, Refund.Status.REFUNDING])
def test_alipay_refunded_what_we_hold_as_failed_or_refunding_and_a_retry_records_it_once(
    sandbox, user, staff, admin_client, ours
):
    """The refund reached Alipay but its answer was lost (here: recorded as failed, or left 退款中):
    a mismatch for staff, whose retry asks Alipay first and finishes it without refunding twice."""
    order, payment = paid_order(user)
    refund = refunds.request_refund(user=user, order=order, reason="不想学了")
    Refund.objects.filter(pk=refund.pk).update(status=ours, attempts=1)
    trade = {"out_trade_no": order.order_number, "trade_no": payment.trade_no}
    sandbox.refund(**trade, out_request_no=refund.out_request_no, amount=refund.amount)

    reconcile_day(today())

    assert mismatches() == {(Mismatch.Kind.REFUND_NOT_RECORDED, order.order_number, refund.out_request_no)}
    assert admin_client.get("/admin/payments/mismatch/").content.decode().count(refund.out_request_no) >= 1
    if ours == Refund.Status.FAILED:
        refunds.retry_refund(refund_id=refund.pk, staff=staff)
    else:
        refunds.execute_refund(refund_id=refund.pk)
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED and order.order_status == Order.Status.REFUNDED
    assert sandbox.refunds_of(payment.trade_no) == refund.amount  # once
    Mismatch.objects.all().delete()
    reconcile_day(today())
    assert Mismatch.objects.count() == 0


def test_a_refund_finished_while_alipay_was_asked_is_no_mismatch(sandbox, user, staff, monkeypatch):
    """The worker finishes a 退款中 refund between our read and Alipay's answer: read again, agreed."""
    order, payment = paid_order(user)
    sandbox.set_unreachable(True)
    refund = approved(order, staff)
    sandbox.set_unreachable(False)
    asking = SandboxGateway.refund_query
    worker = []

    def finished_meanwhile(self, **trade):
        if not worker:  # the first question is the reconciliation's: the worker runs meanwhile
            worker.append("running")
            refunds.execute_refund(refund_id=refund.pk)
        return asking(self, **trade)

    monkeypatch.setattr(SandboxGateway, "refund_query", finished_meanwhile)
    reconcile_day(today())
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED and Mismatch.objects.count() == 0


def test_refunds_alipay_cannot_be_asked_about_are_retried_then_unchecked(sandbox, user, staff, settings):
    order, payment = paid_order(user)
    refund = approved(order, staff)
    sandbox.set_unreachable(True)  # the sandbox's refund calls fail; its trade queries still answer

    report = reconcile_day(today(), record_unchecked=False)
    assert report.unchecked == [(order.order_number, refund.out_request_no)] and Mismatch.objects.count() == 0

    settings.CELERY_TASK_ALWAYS_EAGER = True
    reconcile_alipay.apply(kwargs={"day": today().isoformat()})
    assert len(sandbox.asked) == 1 + reconcile_alipay.max_retries + 1
    assert mismatches() == {(Mismatch.Kind.UNCHECKED, order.order_number, refund.out_request_no)}


def test_refunds_of_other_days_are_not_compared(sandbox, user, staff):
    refund = approved(paid_order(user)[0], staff)
    earlier = timezone.now() - timedelta(days=2)
    Refund.objects.filter(pk=refund.pk).update(created_time=earlier, updated_time=earlier)
    reconcile_day(today())
    assert sandbox.asked == []
    reconcile_day(today() - timedelta(days=2))
    assert sandbox.asked == [refund.out_request_no]


def test_a_fully_refunded_trade_is_closed_at_the_sandbox(sandbox, user, staff):
    order, payment = paid_order(user)
    assert sandbox.query_trade(order.order_number).status == "TRADE_SUCCESS"
    approved(order, staff)
    closed = sandbox.query_trade(order.order_number)
    assert (closed.status, closed.trade_no, closed.total_amount) == ("TRADE_CLOSED", payment.trade_no, order.real_price)
    assert not closed.is_paid
