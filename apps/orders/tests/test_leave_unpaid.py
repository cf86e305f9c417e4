"""Cancel (user, admin) and time-out (countdown task, beat sweep): each gives back credit and
coupon exactly once, and only for orders still unpaid."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.coupon import redis_store as coupon_store
from apps.coupon.models import CouponLog
from apps.orders.models import Order
from apps.orders.services import cancel_order, expire_orders, expire_overdue_orders, pay_order
from apps.orders.tasks import order_timeout
from apps.orders.tests.factories import OrderFactory, make_overdue
from apps.users.models import Credit
from apps.users.tests.factories import UserFactory
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def order_with_coupon_and_credit(unpaid_order):
    """An unpaid order of `user` that used a coupon and 100 credit (balance now 900)."""
    return unpaid_order(credit=100)


def assert_given_back_once(user, order, log, status):
    order.refresh_from_db()
    user.refresh_from_db()
    log.refresh_from_db()
    assert order.order_status == status
    assert user.credit == 1000
    refunds = Credit.objects.filter(user=user, operation=Credit.Operation.REFUND)
    assert [(r.number, order.order_number in r.remark) for r in refunds] == [(100, True)]
    assert log.order_id is None and log.use_status == CouponLog.UseStatus.UNUSED
    assert [r["user_coupon_id"] for r in coupon_store.read_all(user.id)] == [log.id]
    assert order.user_coupon_id == log.id  # the order's history still names its coupon


def test_cancel_restores_credit_and_coupon_exactly_once(
    auth_client, user, order_with_coupon_and_credit, django_capture_on_commit_callbacks
):
    order, log = order_with_coupon_and_credit
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.put(f"/order/{order.id}/")
    assert response.status_code == 200 and response.json() == {"code": 200, "message": "订单已取消", "data": None}
    assert_given_back_once(user, order, log, Order.Status.CANCELLED)

    with django_capture_on_commit_callbacks(execute=True):
        again = auth_client.put(f"/order/{order.id}/")  # a double click
    assert again.status_code == 409 and again.json()["code"] == 409
    assert_given_back_once(user, order, log, Order.Status.CANCELLED)


def test_cancel_of_someone_elses_order_is_404_and_changes_nothing(order_with_coupon_and_credit):
    order, _ = order_with_coupon_and_credit
    stranger = client_for(UserFactory())
    assert stranger.put(f"/order/{order.id}/").status_code == 404
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID


def test_cancel_of_ones_own_hidden_order_is_404_and_gives_nothing_back(auth_client, user, order_with_coupon_and_credit):
    """The owner's cancel reads the order once, under its lock: a hidden (is_show off by staff)
    or deleted order is not found there, as in every customer lookup, and keeps credit and coupon."""
    order, log = order_with_coupon_and_credit
    Order.objects.filter(pk=order.pk).update(is_show=False)
    response = auth_client.put(f"/order/{order.id}/")
    assert response.status_code == 404 and response.json()["code"] == 404
    order.refresh_from_db()
    user.refresh_from_db()
    log.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID and user.credit == 900 and log.order_id == order.id
    assert not Credit.objects.filter(user=user, operation=Credit.Operation.REFUND).exists()


@pytest.mark.parametrize("path", ["/order/987654/", "/order/abc/", "/order/99999999999999999999999/"])
def test_cancel_of_unknown_order_is_404(auth_client, path):
    response = auth_client.put(path)
    assert response.status_code == 404 and response.json()["code"] == 404


def test_paid_order_cannot_be_cancelled(auth_client, user, order_with_coupon_and_credit):
    order, log = order_with_coupon_and_credit
    pay_order(order_id=order.id, trade_no="T1")
    response = auth_client.put(f"/order/{order.id}/")
    assert response.status_code == 409
    order.refresh_from_db()
    user.refresh_from_db()
    assert order.order_status == Order.Status.PAID and user.credit == 900


def test_countdown_task_times_out_an_overdue_unpaid_order(
    user, order_with_coupon_and_credit, django_capture_on_commit_callbacks
):
    order, log = order_with_coupon_and_credit
    make_overdue(order)
    with django_capture_on_commit_callbacks(execute=True):
        assert order_timeout(order.id) == 1
    assert_given_back_once(user, order, log, Order.Status.TIMEOUT)
    with django_capture_on_commit_callbacks(execute=True):
        assert order_timeout(order.id) == 0  # delivered twice: no second restore
    assert_given_back_once(user, order, log, Order.Status.TIMEOUT)


def test_countdown_task_leaves_young_paid_cancelled_and_missing_orders_alone(user, order_with_coupon_and_credit):
    order, _ = order_with_coupon_and_credit
    assert order_timeout(order.id) == 0  # not overdue yet (a task delivered early)
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID
    paid = OrderFactory(order_status=Order.Status.PAID)
    cancelled = OrderFactory(order_status=Order.Status.CANCELLED)
    make_overdue(paid, cancelled)
    assert order_timeout(paid.id) == 0 and order_timeout(cancelled.id) == 0 and order_timeout(10**12) == 0
    paid.refresh_from_db()
    assert paid.order_status == Order.Status.PAID


def test_coupon_ended_meanwhile_is_freed_but_not_offered_again(
    user, order_with_coupon_and_credit, django_capture_on_commit_callbacks
):
    order, log = order_with_coupon_and_credit
    log.coupon.end_time = timezone.now() - timedelta(seconds=1)
    log.coupon.start_time = timezone.now() - timedelta(days=2)
    log.coupon.save()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order_id=order.id)
    log.refresh_from_db()
    assert log.order_id is None
    assert coupon_store.read_all(user.id) == []


def test_sweep_times_out_every_overdue_unpaid_order_and_nothing_else(django_capture_on_commit_callbacks):
    overdue = [OrderFactory(credit=10, user=UserFactory(credit=0)) for _ in range(7)]
    make_overdue(*overdue)
    young = OrderFactory()
    old_paid = OrderFactory(order_status=Order.Status.PAID)
    make_overdue(old_paid)

    with django_capture_on_commit_callbacks(execute=True):
        assert expire_overdue_orders(batch_size=3) == 7
        assert expire_overdue_orders(batch_size=3) == 0

    assert set(Order.objects.filter(order_status=Order.Status.TIMEOUT)) == set(overdue)
    for order in overdue:
        order.user.refresh_from_db()
        assert order.user.credit == 10
    young.refresh_from_db()
    old_paid.refresh_from_db()
    assert young.order_status == Order.Status.UNPAID and old_paid.order_status == Order.Status.PAID


def test_expire_orders_ignores_orders_not_yet_overdue():
    order = OrderFactory()
    make_overdue(order, seconds=100)
    assert expire_orders(order_ids=[order.id]) == 0


def test_admin_action_cancels_unpaid_orders_through_the_service(
    client, user, order_with_coupon_and_credit, django_capture_on_commit_callbacks
):
    order, log = order_with_coupon_and_credit
    paid = OrderFactory(order_status=Order.Status.PAID)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:orders_order_changelist"),
            {"action": "cancel_selected_unpaid", "_selected_action": [order.id, paid.id]},
            follow=True,
        )
    assert response.status_code == 200
    assert_given_back_once(user, order, log, Order.Status.CANCELLED)
    paid.refresh_from_db()
    assert paid.order_status == Order.Status.PAID


def test_admin_order_pages_render(client, order_with_coupon_and_credit):
    order, _ = order_with_coupon_and_credit
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:orders_order_changelist") + "?q=" + order.order_number[:10]).status_code == 200
    assert client.get(reverse("admin:orders_order_change", args=[order.id])).status_code == 200
