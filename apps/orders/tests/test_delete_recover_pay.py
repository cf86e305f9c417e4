import pytest

from apps.cart import redis_store
from apps.coupon.models import CouponLog
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.orders.services import PayResult, cancel_order, pay_order
from apps.orders.tests.factories import OrderDetailFactory, OrderFactory
from apps.users.models import UserCourse
from apps.users.tests.factories import UserFactory
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [Order.Status.CANCELLED, Order.Status.TIMEOUT])
def test_delete_hides_an_ended_order_for_good(auth_client, user, status):
    order = OrderFactory(user=user, order_status=status)
    response = auth_client.delete(f"/order/{order.id}/")
    assert response.status_code == 200 and response.json() == {"code": 200, "message": "订单已删除", "data": None}
    order.refresh_from_db()
    assert order.is_deleted
    assert auth_client.get("/order/list/").json()["data"]["count"] == 0
    assert auth_client.delete(f"/order/{order.id}/").status_code == 404
    assert auth_client.put(f"/order/{order.id}/").status_code == 404
    assert auth_client.post(f"/order/{order.id}/recover/").status_code == 404


@pytest.mark.parametrize("status", [Order.Status.UNPAID, Order.Status.PAID])
def test_delete_refuses_unpaid_and_paid_orders(auth_client, user, status):
    order = OrderFactory(user=user, order_status=status)
    response = auth_client.delete(f"/order/{order.id}/")
    assert response.status_code == 409
    order.refresh_from_db()
    assert not order.is_deleted


def test_delete_of_someone_elses_order_is_404(auth_client):
    order = OrderFactory(order_status=Order.Status.CANCELLED)
    assert auth_client.delete(f"/order/{order.id}/").status_code == 404
    order.refresh_from_db()
    assert not order.is_deleted


def test_recover_puts_available_courses_back_selected(auth_client, user):
    order = OrderFactory(user=user, order_status=Order.Status.TIMEOUT)
    kept = OrderDetailFactory(order=order).course
    hidden = OrderDetailFactory(order=order, course=CourseFactory(is_show=False)).course
    owned = OrderDetailFactory(order=order).course
    UserCourse.objects.create(user=user, course=owned)
    redis_store.add_line(user.id, kept.id, selected=False)
    redis_store.add_line(user.id, 999, selected=False)

    response = auth_client.post(f"/order/{order.id}/recover/")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data == {"cart_total": 2, "added": [kept.id], "skipped": [hidden.id, owned.id]}
    assert redis_store.cart_lines(user.id) == {kept.id: True, 999: False}
    order.refresh_from_db()
    assert order.order_status == Order.Status.TIMEOUT  # the old order stays as history


@pytest.mark.parametrize("status", [Order.Status.UNPAID, Order.Status.PAID])
def test_recover_refuses_live_and_paid_orders(auth_client, user, status):
    order = OrderFactory(user=user, order_status=status)
    OrderDetailFactory(order=order)
    assert auth_client.post(f"/order/{order.id}/recover/").status_code == 409
    assert redis_store.cart_total(user.id) == 0


def test_recover_respects_the_cart_limit(auth_client, user, settings):
    settings.CART_MAX_LINES = 2
    order = OrderFactory(user=user, order_status=Order.Status.CANCELLED)
    courses = [OrderDetailFactory(order=order).course for _ in range(3)]
    redis_store.add_line(user.id, 999)
    data = auth_client.post(f"/order/{order.id}/recover/").json()["data"]
    assert data["added"] == [courses[0].id] and data["cart_total"] == 2


def test_recover_of_someone_elses_order_is_404(auth_client):
    order = OrderFactory(user=UserFactory(), order_status=Order.Status.CANCELLED)
    assert auth_client.post(f"/order/{order.id}/recover/").status_code == 404


# --- pay (the service the Alipay notify and the poll call) ----------------------------------


@pytest.fixture
def unpaid(unpaid_order):
    return unpaid_order(credit=50)


def test_pay_records_time_marks_coupon_used_and_grants_courses(
    user, courses, unpaid, django_capture_on_commit_callbacks
):
    order, log = unpaid
    with django_capture_on_commit_callbacks(execute=True):
        assert pay_order(order_id=order.id, trade_no="2026112622001") is PayResult.PAID
    order.refresh_from_db()
    log.refresh_from_db()
    user.refresh_from_db()
    assert order.order_status == Order.Status.PAID and order.pay_time and order.trade_no == "2026112622001"
    assert log.use_status == CouponLog.UseStatus.USED and log.use_time and log.order_id == order.id
    assert set(UserCourse.objects.filter(user=user).values_list("course_id", flat=True)) == {c.id for c in courses}
    assert user.credit == 950


def test_pay_replay_changes_nothing(user, unpaid):
    order, _ = unpaid
    pay_order(order_id=order.id, trade_no="T1")
    first = Order.objects.get(pk=order.id).pay_time
    assert pay_order(order_id=order.id, trade_no="T2") is PayResult.ALREADY_PAID
    order.refresh_from_db()
    assert order.pay_time == first and order.trade_no == "T1"
    assert UserCourse.objects.filter(user=user).count() == 2


def test_pay_after_cancel_is_closed_and_changes_nothing(user, unpaid):
    order, log = unpaid
    cancel_order(order_id=order.id)
    assert pay_order(order_id=order.id, trade_no="T1") is PayResult.CLOSED
    order.refresh_from_db()
    log.refresh_from_db()
    assert order.order_status == Order.Status.CANCELLED and not order.pay_time
    assert log.use_status == CouponLog.UseStatus.UNUSED and log.order_id is None
    assert not UserCourse.objects.filter(user=user).exists()


def test_cancel_after_pay_is_refused(user, unpaid):
    order, _ = unpaid
    pay_order(order_id=order.id, trade_no="T1")
    client = client_for(user)
    assert client.put(f"/order/{order.id}/").status_code == 409
    user.refresh_from_db()
    assert user.credit == 950
