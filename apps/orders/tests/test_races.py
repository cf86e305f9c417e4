"""Transitions racing each other in real threads on a real (transactional) database: exactly one
wins, nothing is given back twice. Run on SQLite and, in CI, on MariaDB."""

from functools import partial

import pytest
from django.db import connection

from apps.cart import redis_store
from apps.coupon.models import CouponLog
from apps.coupon.tests.factories import CouponLogFactory
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.orders.services import PayResult, cancel_order, create_order, expire_orders, pay_order
from apps.users.exceptions import InsufficientCredit
from apps.users.models import Credit, User
from apps.users.services import spend_credit
from apps.users.tests.factories import UserFactory
from tests.builders import unpaid_order
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 25 if connection.vendor == "mysql" else 10


def ignore(exc_types, function):
    def call():
        try:
            return function()
        except exc_types as exc:
            return exc

    return call


def test_cancel_timeout_and_payment_racing_restore_exactly_once():
    from apps.orders.exceptions import OrderNotCancellable

    for round_ in range(ROUNDS):
        user, order, log = unpaid_order(overdue=True)

        results = run_concurrently(
            ignore(OrderNotCancellable, partial(cancel_order, order_id=order.id)),
            partial(expire_orders, order_ids=[order.id]),
            partial(pay_order, order_id=order.id, trade_no=f"T{round_}"),
        )

        assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, OrderNotCancellable)], results
        order.refresh_from_db()
        user.refresh_from_db()
        log.refresh_from_db()
        refunds = Credit.objects.filter(user=user, operation=Credit.Operation.REFUND).count()
        if order.order_status == Order.Status.PAID:
            assert results[2] is PayResult.PAID
            assert user.credit == 0 and refunds == 0
            assert log.use_status == CouponLog.UseStatus.USED
        else:
            assert order.order_status in (Order.Status.CANCELLED, Order.Status.TIMEOUT)
            assert results[2] is PayResult.CLOSED
            assert user.credit == 100 and refunds == 1
            assert log.order_id is None and log.use_status == CouponLog.UseStatus.UNUSED


def test_two_orders_racing_for_one_coupon_one_wins():
    for _ in range(ROUNDS):
        user = UserFactory(credit=0)
        log = CouponLogFactory(user=user)
        redis_store.add_lines(user.id, [CourseFactory().id, CourseFactory().id])

        place = partial(create_order, user=user, pay_type=0, user_coupon_id=log.id)
        results = run_concurrently(place, place)

        created = [r for r in results if isinstance(r, Order)]
        assert len(created) == 1, results
        assert Order.objects.filter(user=user).count() == 1
        log.refresh_from_db()
        assert log.order_id == created[0].id


def test_concurrent_credit_spends_never_go_below_zero():
    user = UserFactory(credit=100)
    results = run_concurrently(*[lambda: spend_credit(user_id=user.id, amount=30, remark="race") for _ in range(8)])
    assert sum(1 for r in results if r is None) == 3
    assert all(r is None or isinstance(r, InsufficientCredit) for r in results)
    assert User.objects.get(pk=user.pk).credit == 10
    assert Credit.objects.filter(user=user).count() == 3


def test_double_submitted_order_creates_one_order():
    user = UserFactory(credit=500)
    redis_store.add_lines(user.id, [CourseFactory(credit=300).id, CourseFactory(credit=300).id])
    results = run_concurrently(*[lambda: create_order(user=user, pay_type=0, credit=300) for _ in range(4)])
    assert sum(isinstance(r, Order) for r in results) == 1, results
    assert Order.objects.filter(user=user).count() == 1
    assert User.objects.get(pk=user.pk).credit == 200
