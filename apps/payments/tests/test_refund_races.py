"""Refunds racing in real threads on a transactional database (MariaDB in CI: ≥ 100 rounds each):
approve clicked twice, the automatic refund run twice at once, an approval racing a replayed notify.
After every round the books are checked from the database: money collected = paid orders + refunds
issued or owed, one refund per payment at Alipay (the fake gateway's count), the credit ledger sums
to User.credit, refunded courses gone, the order 1→4 once and its credit given back once."""

from functools import partial

import pytest
from django.db import connection

from apps.orders.models import Order
from apps.payments import refunds
from apps.payments.exceptions import RefundNotPending
from apps.payments.models import Payment, Refund
from apps.payments.services import handle_notify
from apps.payments.tests.refund_helpers import assert_books_balance, late_payment, paid_order
from apps.users.models import Credit
from apps.users.tests.factories import UserFactory
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 100 if connection.vendor == "mysql" else 10


def books(alipay):
    assert_books_balance(refunded_at_gateway=alipay.refunded_total(), refunds_at_gateway=alipay.money_moves)


def assert_refunded_once(user, order):
    order.refresh_from_db()
    user.refresh_from_db()
    assert order.order_status == Order.Status.REFUNDED
    assert Credit.objects.filter(user=user, operation=Credit.Operation.REFUND).count() == 1
    assert user.credit == 100
    assert Payment.objects.get(order=order).status == Payment.Status.REFUNDED


def approve_quietly(refund_id, staff):
    try:
        return refunds.approve_refund(refund_id=refund_id, staff=staff).status
    except RefundNotPending as exc:
        return exc


def test_approve_clicked_twice_refunds_once(alipay, alipay_key):
    staff = UserFactory(is_staff=True)
    for _ in range(ROUNDS):
        user, order, _, _ = paid_order(alipay_key)
        refund = refunds.request_refund(user=user, order=order, reason="r")

        results = run_concurrently(*[partial(approve_quietly, refund.pk, staff) for _ in range(2)])

        assert sorted(map(type, results), key=str) == sorted([int, RefundNotPending], key=str), results
        assert Refund.Status.REFUNDED in results
        assert_refunded_once(user, order)
        books(alipay)


def test_the_automatic_refund_run_twice_at_once_refunds_once(alipay, alipay_key):
    for round_ in range(ROUNDS):
        payment = late_payment(alipay_key)

        results = run_concurrently(*[partial(refunds.refund_required_payment, payment_id=payment.pk)] * 2)

        assert not any(isinstance(result, Exception) for result in results), results
        payment.refresh_from_db()
        assert payment.status == Payment.Status.REFUNDED
        assert Refund.objects.filter(payment=payment).count() == 1
        assert alipay.money_moves == round_ + 1
        books(alipay)


def test_an_approval_racing_a_replayed_notify(alipay, alipay_key):
    staff = UserFactory(is_staff=True)
    for _ in range(ROUNDS):
        user, order, _, params = paid_order(alipay_key)
        refund = refunds.request_refund(user=user, order=order, reason="r")

        results = run_concurrently(
            partial(refunds.approve_refund, refund_id=refund.pk, staff=staff), partial(handle_notify, params)
        )

        assert results[1] == "already_paid" and results[0].status == Refund.Status.REFUNDED, results
        assert Payment.objects.filter(order=order).count() == 1
        assert_refunded_once(user, order)
        books(alipay)
