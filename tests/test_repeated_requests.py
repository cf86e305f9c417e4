"""The same request arriving twice at the same moment (a double click, two beat sweeps that
overlap, a registration sent twice) makes one state change: the losers get a clear answer and
change nothing. Real threads on a transactional database (SQLite here, MariaDB in CI's MySQL run).
Sequential repeats are in the app tests (double cancel, replayed notify, a countdown run twice)."""

import pytest

from apps.cart import redis_store
from apps.coupon import redis_store as coupon_store
from apps.coupon.models import CouponLog
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.orders.services import expire_overdue_orders
from apps.orders.tests.factories import OrderFactory, make_overdue
from apps.users.models import Credit, User
from apps.users.tests.factories import UserFactory
from conftest import client_for
from tests.builders import unpaid_order
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_double_clicked_cancel_cancels_once_and_gives_back_once():
    user, order, log = unpaid_order()
    clients = [client_for(user), client_for(user)]

    responses = run_concurrently(*[lambda c=c: c.put(f"/order/{order.id}/") for c in clients])

    assert sorted(r.status_code for r in responses) == [200, 409]
    assert all(r.json()["code"] == r.status_code for r in responses)
    order.refresh_from_db()
    log.refresh_from_db()
    assert order.order_status == Order.Status.CANCELLED
    assert User.objects.get(pk=user.pk).credit == 100
    assert Credit.objects.filter(user=user, operation=Credit.Operation.REFUND).count() == 1
    assert log.order_id is None and log.use_status == CouponLog.UseStatus.UNUSED
    assert [r["user_coupon_id"] for r in coupon_store.read_all(user.id)] == [log.id]


def test_a_double_clicked_recover_puts_each_course_in_the_cart_once():
    user = UserFactory()
    order = OrderFactory(user=user, order_status=Order.Status.CANCELLED)
    courses = [CourseFactory(), CourseFactory()]
    for course in courses:
        order.order_courses.create(course=course, name=course.name, price=course.price, real_price=course.price)
    clients = [client_for(user), client_for(user)]

    responses = run_concurrently(*[lambda c=c: c.post(f"/order/{order.id}/recover/") for c in clients])

    assert [r.status_code for r in responses] == [200, 200]
    assert all(r.json()["data"]["cart_total"] == 2 for r in responses)
    assert sorted(redis_store.cart_lines(user.id)) == sorted(course.id for course in courses)


def test_overlapping_sweeps_time_each_order_out_once():
    users = [UserFactory(credit=0) for _ in range(6)]
    orders = [OrderFactory(user=user, credit=10) for user in users]
    make_overdue(*orders)

    moved = run_concurrently(*[lambda: expire_overdue_orders(batch_size=2) for _ in range(3)])

    assert sum(moved) == len(orders), moved
    assert set(Order.objects.values_list("order_status", flat=True)) == {Order.Status.TIMEOUT}
    assert list(User.objects.filter(pk__in=[u.pk for u in users]).values_list("credit", flat=True)) == [10] * 6
    assert Credit.objects.filter(operation=Credit.Operation.REFUND).count() == len(orders)


def test_a_registration_sent_twice_creates_one_account(api_client):
    body = {"mobile": "13712345678", "password": "password123", "re_password": "password123"}
    clients = [client_for(UserFactory()), client_for(UserFactory())]  # two clients, same address

    responses = run_concurrently(*[lambda c=c: c.post("/user/register/", body, format="json") for c in clients])

    assert sorted(r.status_code for r in responses) == [201, 400], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 400).json()
    assert loser["code"] == 400 and loser["message"] == "该手机号已注册"
    assert User.objects.filter(mobile="13712345678").count() == 1
