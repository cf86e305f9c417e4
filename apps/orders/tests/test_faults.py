"""Faults during order creation: a deadlock is retried, a broken database or Redis rolls the
whole order back and leaves Redis as it was, with a clear 503."""

import pytest
from django.db import OperationalError

from apps.cart import redis_store
from apps.coupon import redis_store as coupon_store
from apps.coupon.services import mirror_coupon_logs
from apps.coupon.tests.factories import CouponLogFactory
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.users.models import Credit, User
from apps.users.services import spend_credit
from apps.users.tests.factories import UserFactory
from conftest import client_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault]


@pytest.fixture
def shopper():
    user = UserFactory(credit=500)
    log = CouponLogFactory(user=user)
    mirror_coupon_logs([log.id])
    redis_store.add_lines(user.id, [CourseFactory(credit=200).id, CourseFactory(credit=200).id])
    return user, log


def place_order(user, log):
    body = {"pay_type": 0, "user_coupon_id": log.id, "credit": 100}
    return client_for(user).post("/order/", body, format="json")


def failing_spend(times: int):
    """spend_credit that is a MySQL deadlock victim the first `times` calls."""
    calls = {"count": 0}

    def spend(**kwargs):
        calls["count"] += 1
        if calls["count"] <= times:
            raise OperationalError(1213, "Deadlock found when trying to get lock; try restarting transaction")
        return spend_credit(**kwargs)

    return spend, calls


def test_a_deadlock_victim_is_retried_and_the_order_created_once(shopper, monkeypatch):
    user, log = shopper
    spend, calls = failing_spend(times=1)
    monkeypatch.setattr("apps.orders.services.spend_credit", spend)

    response = place_order(user, log)

    assert response.status_code == 201 and calls["count"] == 2
    assert Order.objects.filter(user=user).count() == 1
    assert User.objects.get(pk=user.pk).credit == 400
    assert Credit.objects.filter(user=user).count() == 1


def test_a_persistent_deadlock_answers_503_and_changes_nothing(shopper, monkeypatch):
    user, log = shopper
    spend, calls = failing_spend(times=99)
    monkeypatch.setattr("apps.orders.services.spend_credit", spend)

    response = place_order(user, log)

    assert response.status_code == 503 and response.json()["code"] == 503
    assert "Deadlock" not in response.json()["message"]
    assert calls["count"] == 3  # bounded
    assert not Order.objects.exists()
    assert User.objects.get(pk=user.pk).credit == 500
    log.refresh_from_db()
    assert log.order_id is None
    assert [r["user_coupon_id"] for r in coupon_store.read_all(user.id)] == [log.id]
    assert len(redis_store.selected_course_ids(user.id)) == 2


def test_redis_down_answers_503_and_creates_nothing(shopper, settings):
    user, log = shopper
    client = client_for(user)  # token made while Redis is up
    dead = {**settings.CACHES["cart"], "LOCATION": "redis://127.0.0.1:1/0"}
    dead["OPTIONS"] = {**dead["OPTIONS"], "SOCKET_CONNECT_TIMEOUT": 0.2}
    settings.CACHES = {**settings.CACHES, "cart": dead}

    response = client.post("/order/", {"pay_type": 0, "user_coupon_id": log.id, "credit": 100}, format="json")

    assert response.status_code == 503 and response.json()["code"] == 503
    assert not Order.objects.exists()
    assert User.objects.get(pk=user.pk).credit == 500
    log.refresh_from_db()
    assert log.order_id is None
