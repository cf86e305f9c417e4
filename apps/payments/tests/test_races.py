"""Alipay's notify racing the customer's cancel, the time-out and the client's poll, in real threads
on a transactional database: exactly one of paid / cancelled / timed out wins, credit and coupon go
back at most once, and the money is always recorded (PAID or REFUND_REQUIRED). SQLite and MariaDB."""

from functools import partial

import pytest
from django.db import connection

from apps.coupon.models import CouponLog
from apps.orders.exceptions import OrderNotCancellable
from apps.orders.models import Order
from apps.orders.services import cancel_order, expire_orders
from apps.orders.tests.factories import make_overdue
from apps.payments.models import Payment
from apps.payments.services import handle_notify, query_and_sync
from apps.payments.tests.fake_alipay import notify_params
from apps.users.models import Credit, UserCourse
from tests.builders import unpaid_order
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 20 if connection.vendor == "mysql" else 8


def cancel_quietly(order_id):
    try:
        return cancel_order(order_id=order_id)
    except OrderNotCancellable as exc:
        return exc


def assert_one_outcome(user, order, log):
    order.refresh_from_db()
    user.refresh_from_db()
    log.refresh_from_db()
    payment = Payment.objects.get(order=order)  # the money is recorded, once
    refunds = Credit.objects.filter(user=user, operation=Credit.Operation.REFUND).count()
    granted = UserCourse.objects.filter(user=user).count()
    if order.order_status == Order.Status.PAID:
        assert payment.status == Payment.Status.PAID
        assert (user.credit, refunds, granted) == (0, 0, 1)
        assert log.use_status == CouponLog.UseStatus.USED
    else:
        assert order.order_status in (Order.Status.CANCELLED, Order.Status.TIMEOUT)
        assert payment.status == Payment.Status.REFUND_REQUIRED
        assert (user.credit, refunds, granted) == (100, 1, 0)
        assert log.use_status == CouponLog.UseStatus.UNUSED and log.order_id is None
    return order.order_status


def test_notify_racing_cancel_and_time_out_one_wins(alipay, alipay_key):
    outcomes = set()
    for _ in range(ROUNDS):
        user, order, log = unpaid_order()
        make_overdue(order)
        params = notify_params(order, alipay_key)

        results = run_concurrently(
            partial(handle_notify, params),
            partial(cancel_quietly, order.id),
            partial(expire_orders, order_ids=[order.id]),
        )

        # the notify is answered "success" whoever won
        assert results[0] in ("paid", "closed"), results
        assert not isinstance(results[2], Exception), results
        outcomes.add(assert_one_outcome(user, order, log))
    assert outcomes  # which one wins is up to the scheduler; each round had exactly one winner


def test_replayed_notifies_racing_each_other_pay_once(alipay, alipay_key):
    for _ in range(ROUNDS):
        user, order, log = unpaid_order()
        params = notify_params(order, alipay_key)

        results = run_concurrently(*[partial(handle_notify, params) for _ in range(3)])

        assert sorted(results) == ["already_paid", "already_paid", "paid"], results
        assert assert_one_outcome(user, order, log) == Order.Status.PAID


def test_poll_racing_notify_record_the_trade_once(alipay, alipay_key):
    for _ in range(ROUNDS):
        user, order, log = unpaid_order()
        params = notify_params(order, alipay_key)
        alipay.paid(order, trade_no=params["trade_no"])

        results = run_concurrently(partial(handle_notify, params), partial(query_and_sync, order))

        assert results[0] in ("paid", "already_paid") and not isinstance(results[1], Exception), results
        assert assert_one_outcome(user, order, log) == Order.Status.PAID
