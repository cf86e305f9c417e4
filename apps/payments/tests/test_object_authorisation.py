"""Object-level authorisation across users: every order and payment endpoint, tried by one
customer on another's orders in each state, answers 404 (never 403: ids cannot be probed) and
changes nothing in the database, in Redis or on the broker; lists never show them."""

from decimal import Decimal

import pytest
from django.utils import timezone

from apps.cart import redis_store
from apps.coupon.services import mirror_coupon_logs
from apps.coupon.tests.factories import CouponLogFactory
from apps.course.models import CourseReview
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.payments.tests.factories import OrderFactory
from apps.users.models import MoneyLog
from apps.users.services import change_money, grant_courses
from apps.users.tests.factories import UserFactory
from conftest import client_for
from tests.builders import unpaid_order
from tests.snapshot import database_state, redis_state

pytestmark = pytest.mark.django_db


def order_calls(order) -> list[tuple[str, str]]:
    """Every endpoint that acts on one order, by id or by number."""
    return [
        ("put", f"/order/{order.id}/"),
        ("delete", f"/order/{order.id}/"),
        ("post", f"/order/{order.id}/recover/"),
        ("post", f"/order/{order.id}/refund/"),
        ("get", f"/order/{order.id}/refund/"),
        ("get", f"/payments/alipay/{order.order_number}/"),
        ("get", f"/payments/alipay/query/{order.order_number}/"),
    ]


@pytest.fixture
def victim(alipay, django_capture_on_commit_callbacks):
    """A customer with an unpaid order (coupon, credit, a pay link sent), and a paid, a cancelled
    and a timed-out one; cart lines and a spare coupon in Redis."""
    user = UserFactory(credit=500)
    with django_capture_on_commit_callbacks(execute=True):
        unpaid = unpaid_order(user, mirror=True).order
    mirror_coupon_logs([CouponLogFactory(user=user).id])  # a spare coupon
    redis_store.add_lines(user.id, [CourseFactory().id])
    assert client_for(user).get(f"/payments/alipay/{unpaid.order_number}/").status_code == 200
    ended = [
        OrderFactory(user=user, order_status=status, order_number=f"20200101{user.pk:08d}{status:08d}")
        for status in Order.Status.values
        if status != Order.Status.UNPAID
    ]
    return user, [unpaid, *ended]


def test_another_customers_orders_are_404_everywhere_and_nothing_changes(
    victim, alipay, django_capture_on_commit_callbacks
):
    owner, orders = victim
    intruder = UserFactory(credit=500)
    OrderFactory(user=intruder)
    client = client_for(intruder)
    before_db, before_redis = database_state(), redis_state(("default", "cart", "coupon"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for order in orders:
            for method, path in order_calls(order):
                response = getattr(client, method)(path)
                assert response.status_code == 404, (method, path, response.status_code)
                assert response.json() == {"code": 404, "message": "订单不存在", "data": None}, (method, path)

    assert callbacks == []
    assert database_state() == before_db
    assert redis_state(("default", "cart", "coupon")) == before_redis
    assert alipay.calls == []  # nobody asked Alipay about someone else's order


def test_lists_and_filters_never_show_another_customers_orders(victim):
    owner, orders = victim
    intruder = UserFactory()
    own_order = OrderFactory(user=intruder)
    client = client_for(intruder)

    queries = ["", "?status=-1", "?size=50", *[f"?status={status}" for status in Order.Status.values]]
    queries += [f"?order_number={order.order_number}" for order in orders]
    queries += [f"?order_number={orders[0].order_number[:8]}"]  # a date prefix every order shares
    for query in queries:
        response = client.get(f"/order/list/{query}")
        assert response.status_code == 200, query
        assert {row["id"] for row in response.json()["data"]["results"]} <= {own_order.id}, query


def test_the_owner_still_reaches_every_endpoint(victim, alipay, django_capture_on_commit_callbacks):
    """The 404s above come from ownership, not from broken routes."""
    owner, (unpaid, paid, cancelled, timed_out, refunded) = victim
    client = client_for(owner)
    assert client.get(f"/payments/alipay/{unpaid.order_number}/").status_code == 200
    assert client.get(f"/payments/alipay/query/{unpaid.order_number}/").status_code == 200
    assert client.post(f"/order/{cancelled.id}/recover/").status_code == 200
    assert client.delete(f"/order/{timed_out.id}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.put(f"/order/{unpaid.id}/").status_code == 200
    listed = {row["id"] for row in client.get("/order/list/?size=50").json()["data"]["results"]}
    assert listed == {unpaid.id, paid.id, cancelled.id, refunded.id}
    assert client.get(f"/order/{paid.id}/refund/").json() == {"code": 200, "message": "ok", "data": None}  # none yet


def test_user_center_lists_never_show_another_customers_records(victim):
    """我的课程, 消费记录, credit, balance and coupons answer the caller's own rows only, and a
    review post writes the caller's own review, never edits someone else's."""
    owner, (unpaid, paid, *_) = victim
    course = paid.order_courses.get().course
    grant_courses(user_id=owner.id, course_ids=[course.id])
    Order.objects.filter(pk=paid.pk).update(pay_time=timezone.now())
    change_money(user_id=owner.id, amount=Decimal("10.00"), operation=MoneyLog.Operation.RECHARGE, remark="充值")
    owner_review = CourseReview.objects.create(user=owner, course=course, score=5, content="原评价")
    intruder = UserFactory()
    client = client_for(intruder)

    for path in ["/user/course/", "/user/records/", "/user/credit/", "/user/balance/", *[
        f"/coupon/mine/?status={status}" for status in ("usable", "used", "expired")
    ]]:  # fmt: skip
        body = client.get(path).json()
        assert body["code"] == 200 and body["data"]["count"] == 0 and body["data"]["results"] == [], path
    assert client.get("/user/balance/").json()["data"]["money"] == "0.00"
    assert client.get(f"/course/{course.id}/").json()["data"]["owned"] is False
    assert client.get(f"/course/{unpaid.order_courses.get().course_id}/").json()["data"]["unpaid_order"] is None

    assert client.post(f"/course/{course.id}/review/", {"score": 1}, format="json").status_code == 403
    grant_courses(user_id=intruder.id, course_ids=[course.id])
    assert (
        client.post(f"/course/{course.id}/review/", {"score": 1, "content": "我的"}, format="json").status_code == 201
    )
    owner_review.refresh_from_db()
    assert (owner_review.score, owner_review.content) == (5, "原评价")
    assert CourseReview.objects.filter(course=course).count() == 2
