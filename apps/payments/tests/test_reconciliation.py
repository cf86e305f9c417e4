"""Reconciliation with Alipay (SPEC §9.4): ask before timing out an order whose pay link went out,
and the daily comparison of the day's trades with Alipay's trade queries."""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.orders.models import Order
from apps.orders.services import expire_orders, expire_overdue_orders
from apps.orders.tests.factories import make_overdue
from apps.payments.models import Mismatch, PayLink, Payment, Recharge
from apps.payments.reconciliation import pay_before_timeout, reconcile_day
from apps.payments.services import handle_notify, remember_link
from apps.payments.tasks import reconcile_alipay
from apps.payments.tests.factories import OrderFactory
from apps.payments.tests.fake_alipay import notify_params
from apps.payments.tests.ledgers import assert_ledgers
from apps.users.models import MoneyLog, UserCourse

pytestmark = pytest.mark.django_db

QUERY = "alipay.trade.query"


def queried(alipay):
    return [biz["out_trade_no"] for method, biz in alipay.calls if method == QUERY]


def test_a_paid_order_whose_notify_was_lost_is_paid_not_timed_out(order, alipay):
    remember_link(order.order_number)
    make_overdue(order)
    alipay.paid(order)

    assert expire_orders(order_ids=[order.pk]) == 0

    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID and order.trade_no == alipay.trades[order.order_number]["trade_no"]
    payment = Payment.objects.get()
    assert (payment.status, payment.source, payment.amount) == (
        Payment.Status.PAID,
        Payment.Source.QUERY,
        order.real_price,
    )
    assert UserCourse.objects.filter(user=order.user).count() == 1
    assert queried(alipay) == [order.order_number]
    assert_ledgers(order.user, initial_credit=1000)


def test_the_sweep_asks_too(order, alipay):
    remember_link(order.order_number)
    make_overdue(order)
    alipay.paid(order)
    assert expire_overdue_orders() == 0
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID


def test_an_unpaid_trade_times_out_as_before(order, alipay):
    remember_link(order.order_number)
    make_overdue(order)
    assert expire_orders(order_ids=[order.pk]) == 1
    order.refresh_from_db()
    assert order.order_status == Order.Status.TIMEOUT and not Payment.objects.exists()
    assert queried(alipay) == [order.order_number]


def test_orders_without_an_issued_link_are_not_asked(user, alipay):
    orders = [OrderFactory(user=user) for _ in range(3)]
    make_overdue(*orders)
    assert expire_overdue_orders() == 3
    assert queried(alipay) == []


def test_one_query_for_the_batch_picks_the_orders_to_ask(user, alipay):
    """The batch's overdue orders are narrowed to the Alipay ones with an issued link in one
    query (no row read for the others); only those are asked, in order."""
    linked = [OrderFactory(user=user) for _ in range(2)]
    unlinked = OrderFactory(user=user)
    by_balance = OrderFactory(user=user, pay_type=Order.PayType.BALANCE)
    free = OrderFactory(user=user, real_price=Decimal("0.00"))
    for order in (*linked, by_balance, free):
        remember_link(order.order_number)
    everyone = [*linked, unlinked, by_balance, free]
    make_overdue(*everyone)
    candidates = Order.objects.filter(pk__in=[o.pk for o in everyone])

    with CaptureQueriesContext(connection) as queries:
        assert pay_before_timeout(candidates=candidates) == 0
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert queried(alipay) == sorted(o.order_number for o in linked)

    alipay.calls.clear()
    with CaptureQueriesContext(connection) as queries:
        assert pay_before_timeout(candidates=Order.objects.filter(pk__in=[unlinked.pk, by_balance.pk, free.pk])) == 0
    assert len(queries) == 1 and queried(alipay) == []


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_retry_of_the_time_out_does_not_ask_alipay_again(order, alipay, monkeypatch):
    from apps.orders import services as order_services

    remember_link(order.order_number)
    make_overdue(order)
    leave_unpaid = order_services._leave_unpaid
    failures = [OperationalError(1213, "Deadlock found when trying to get lock")]

    def deadlocked_once(*args, **kwargs):
        if failures:
            raise failures.pop()
        return leave_unpaid(*args, **kwargs)

    monkeypatch.setattr(order_services, "_leave_unpaid", deadlocked_once)
    assert expire_orders(order_ids=[order.pk]) == 1
    assert queried(alipay) == [order.order_number] and not failures


def test_alipay_unreachable_times_out_and_a_later_notify_becomes_a_refund(user, alipay, alipay_key):
    orders = [OrderFactory(user=user) for _ in range(3)]
    for order in orders:
        remember_link(order.order_number)
    make_overdue(*orders)
    alipay.down = True

    assert expire_overdue_orders() == 3

    assert len(queried(alipay)) == 1  # the first failure stops asking: the sweep stays fast
    alipay.down = False
    assert handle_notify(notify_params(orders[0], alipay_key)) == "closed"
    assert Payment.objects.get().status == Payment.Status.REFUND_REQUIRED
    assert_ledgers(user, initial_credit=1000)


def test_an_amount_alipay_reports_differently_does_not_pay(order, alipay):
    remember_link(order.order_number)
    make_overdue(order)
    alipay.paid(order, amount="0.01")
    assert expire_orders(order_ids=[order.pk]) == 1
    order.refresh_from_db()
    assert order.order_status == Order.Status.TIMEOUT and not Payment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_alipay_is_asked_outside_any_transaction(order, alipay):
    remember_link(order.order_number)
    make_overdue(order)
    seen = []

    class Spy(dict):
        def get(self, key, default=None):  # the fake gateway reads its trades when Alipay is asked
            seen.append(connection.in_atomic_block)
            return super().get(key, default)

    alipay.trades = Spy()
    alipay.paid(order)
    expire_orders(order_ids=[order.pk])
    assert seen == [False]


# --- the daily reconciliation ---------------------------------------------------------------


def today():
    return timezone.localdate()


def test_daily_reconciliation_records_mismatches_once_and_settles_missed_payments(user, alipay, alipay_key, caplog):
    good, forged, lost = (OrderFactory(user=user) for _ in range(3))
    for order in (good, forged, lost):
        remember_link(order.order_number)
    alipay.paid(good, trade_no="T-GOOD")
    handle_notify(notify_params(good, alipay_key, trade_no="T-GOOD"))
    handle_notify(notify_params(forged, alipay_key, trade_no="T-FORGED"))  # Alipay knows no such trade
    alipay.paid(lost, trade_no="T-LOST")  # paid at Alipay, notify never came
    top_up = Recharge.objects.create(
        user=user, recharge_number="R202612010000000000000001", amount=Decimal("50.00"), expire_at=timezone.now()
    )
    alipay.trades[top_up.recharge_number] = {
        **alipay.trades[lost.order_number],
        "out_trade_no": top_up.recharge_number,
        "trade_no": "T-TOPUP",
        "total_amount": "50.00",
    }

    with caplog.at_level(logging.ERROR, logger="fsapi.payments"):
        report = reconcile_day(today())

    kinds = set(Mismatch.objects.values_list("kind", "out_trade_no"))
    assert kinds == {
        (Mismatch.Kind.PAYMENT_NOT_AT_ALIPAY, forged.order_number),
        (Mismatch.Kind.PAID_NOT_RECORDED, lost.order_number),
        (Mismatch.Kind.PAID_NOT_RECORDED, top_up.recharge_number),
    }
    assert report.checked == 4 and not report.unchecked
    assert "RECONCILIATION MISMATCH" in caplog.text
    lost.refresh_from_db()
    top_up.refresh_from_db()
    user.refresh_from_db()
    assert lost.order_status == Order.Status.PAID and Payment.objects.get(trade_no="T-LOST").source == "query"
    assert top_up.status == Recharge.Status.PAID and user.money == Decimal("50.00")
    assert MoneyLog.objects.filter(operation=MoneyLog.Operation.RECHARGE).count() == 1

    reconcile_day(today())  # again: nothing recorded or credited twice
    assert Mismatch.objects.count() == 3
    user.refresh_from_db()
    assert user.money == Decimal("50.00")
    assert_ledgers(user, initial_credit=1000)


def test_hand_marked_refund_still_paid_at_alipay_is_a_mismatch(order, alipay, alipay_key):
    from apps.payments.services import mark_refunded

    make_overdue(order)
    expire_orders(order_ids=[order.pk])
    alipay.paid(order)
    handle_notify(notify_params(order, alipay_key, trade_no=alipay.trades[order.order_number]["trade_no"]))
    mark_refunded(payment_id=Payment.objects.get().pk, remark="by hand")
    reconcile_day(today())
    assert Mismatch.objects.get().kind == Mismatch.Kind.REFUND_NOT_AT_ALIPAY


def test_a_payment_or_top_up_that_alipay_holds_otherwise_is_a_mismatch(user, alipay, alipay_key):
    """Alipay paid another amount for an order we recorded paid; a credited top-up Alipay says is
    not paid; a credited top-up Alipay paid under another trade number."""
    from apps.payments import recharges

    order = OrderFactory(user=user)
    alipay.paid(order, trade_no="T-ORDER")
    handle_notify(notify_params(order, alipay_key, trade_no="T-ORDER"))
    alipay.trades[order.order_number] = {**alipay.trades[order.order_number], "total_amount": "0.01"}
    unpaid_there, other_trade = (
        Recharge.objects.create(
            user=user, recharge_number=f"R20261201000000000000000{n}", amount=Decimal("50.00"), expire_at=timezone.now()
        )
        for n in (2, 3)
    )
    for top_up, trade_no in ((unpaid_there, "T-UNPAID"), (other_trade, "T-OURS")):
        recharges.settle_recharge(
            recharge=top_up, trade_no=trade_no, amount=top_up.amount, paid_at=None, raw={}, source=Payment.Source.QUERY
        )
    alipay.trades[other_trade.recharge_number] = {
        **alipay.trades[order.order_number],
        "out_trade_no": other_trade.recharge_number,
        "trade_no": "T-THEIRS",
        "total_amount": "50.00",
    }
    user.refresh_from_db()
    money_before = user.money

    reconcile_day(today())

    assert set(Mismatch.objects.values_list("kind", "out_trade_no")) == {
        (Mismatch.Kind.PAYMENT_DIFFERS, order.order_number),
        (Mismatch.Kind.RECHARGE_NOT_AT_ALIPAY, unpaid_there.recharge_number),
        (Mismatch.Kind.RECHARGE_DIFFERS, other_trade.recharge_number),
    }
    user.refresh_from_db()
    assert user.money == money_before == Decimal("100.00")  # recorded for staff, nothing moved
    assert_ledgers(user, initial_credit=1000)


def test_other_days_are_not_compared(order, alipay, alipay_key):
    remember_link(order.order_number)
    handle_notify(notify_params(order, alipay_key))
    report = reconcile_day(today() - timedelta(days=1))
    assert report.checked == 0 and queried(alipay) == []


def test_the_task_records_unchecked_trades_on_its_last_try(order, alipay, alipay_key, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    handle_notify(notify_params(order, alipay_key))
    alipay.down = True
    reconcile_alipay.apply(kwargs={"day": today().isoformat()}, retries=reconcile_alipay.max_retries)
    mismatch = Mismatch.objects.get()
    assert (mismatch.kind, mismatch.out_trade_no) == (Mismatch.Kind.UNCHECKED, order.order_number)


def test_the_task_retries_while_alipay_is_unreachable(order, alipay, alipay_key):
    """Eagerly, the retries run inline: Alipay is asked once per try, and only the last try
    records the trade as unchecked."""
    handle_notify(notify_params(order, alipay_key))
    alipay.down = True
    reconcile_alipay.apply(kwargs={"day": today().isoformat()})
    assert len(queried(alipay)) == reconcile_alipay.max_retries + 1
    assert Mismatch.objects.get().kind == Mismatch.Kind.UNCHECKED


def test_the_beat_runs_it_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reconcile-alipay"]
    assert entry["task"] == "reconcile_alipay" and entry["schedule"].hour == {settings.RECONCILE_HOUR}


def test_staff_see_mismatches_and_top_ups_read_only(admin_client, order):
    Mismatch.objects.create(day=today(), kind=Mismatch.Kind.UNCHECKED, out_trade_no=order.order_number)
    Recharge.objects.create(
        user=order.user, recharge_number="R202612010000000000000002", amount=Decimal("5.00"), expire_at=timezone.now()
    )
    for url in ("/admin/payments/mismatch/", "/admin/payments/recharge/"):
        page = admin_client.get(url)
        assert page.status_code == 200
    assert admin_client.get("/admin/payments/mismatch/add/").status_code == 403
    mismatch = Mismatch.objects.get()
    page = admin_client.post(f"/admin/payments/mismatch/{mismatch.pk}/change/", {"detail": "x"})
    mismatch.refresh_from_db()
    assert mismatch.detail == "" and page.status_code in (200, 403)


def test_pay_links_are_remembered_in_the_database(order):
    remember_link(order.order_number)
    remember_link(order.order_number)
    assert PayLink.objects.get().out_trade_no == order.order_number
