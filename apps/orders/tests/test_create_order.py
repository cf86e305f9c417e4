import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.cart import redis_store
from apps.coupon import redis_store as coupon_store
from apps.coupon.models import Coupon, CouponLog
from apps.coupon.tests.factories import CouponFactory, CouponLogFactory
from apps.course.tests.factories import ActivityPriceFactory, CourseFactory
from apps.orders.models import Order, OrderDetail
from apps.orders.services import create_order
from apps.orders.tests.broker import queued_tasks
from apps.users.models import Credit, UserCourse
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def post_order(client, **body):
    return client.post("/order/", {"pay_type": 0, "user_coupon_id": -1, "credit": 0, **body}, format="json")


def test_order_from_selected_lines_keeps_unselected_and_schedules_timeout(
    auth_client, user, courses, cart_with, django_capture_on_commit_callbacks
):
    leftover = CourseFactory()
    cart_with(selected=courses, unselected=[leftover])

    with django_capture_on_commit_callbacks(execute=True):
        response = post_order(auth_client)

    assert response.status_code == 201
    data = response.json()["data"]
    assert response.json()["code"] == 200 and data["order_timeout"] == 900 and data["order_status"] == 0
    order = Order.objects.get(pk=data["id"])
    assert data["order_number"] == order.order_number
    assert re.fullmatch(rf"{timezone.localdate():%Y%m%d}\d{{16}}", order.order_number)
    assert order.order_status == Order.Status.UNPAID and order.user == user
    assert order.total_price == Decimal("500.00") and order.real_price == Decimal("500.00")
    assert sorted(OrderDetail.objects.filter(order=order).values_list("course_id", flat=True)) == sorted(
        c.id for c in courses
    )
    assert redis_store.cart_lines(user.id) == {leftover.id: False}
    [task] = queued_tasks("order_timeout")
    assert task["kwargs"] == {"order_id": order.id}
    eta = datetime.fromisoformat(task["eta"])
    assert timedelta(seconds=890) < eta - timezone.now() <= timedelta(seconds=900)


def test_timeout_is_scheduled_only_after_commit(user, courses, cart_with, django_capture_on_commit_callbacks):
    cart_with(selected=courses)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create_order(user=user, pay_type=0)
    assert queued_tasks("order_timeout") == []  # the worker cannot see an order not yet committed
    assert len(redis_store.selected_course_ids(user.id)) == 2  # nor is the cart touched before commit
    for callback in callbacks:
        callback()
    assert len(queued_tasks("order_timeout")) == 1
    assert redis_store.cart_total(user.id) == 0


def test_order_numbers_are_unique_24_digit_strings(user, cart_with, django_capture_on_commit_callbacks):
    numbers = set()
    for _ in range(3):
        cart_with(selected=[CourseFactory()])
        with django_capture_on_commit_callbacks(execute=True):
            numbers.add(create_order(user=user, pay_type=0).order_number)
    assert len(numbers) == 3 and all(isinstance(n, str) and len(n) == 24 for n in numbers)


@pytest.mark.parametrize("unselected", [[], ["one"]])
def test_nothing_selected_is_400_and_creates_nothing(auth_client, user, courses, cart_with, unselected):
    cart_with(unselected=courses[:1] if unselected else [])
    response = post_order(auth_client)
    assert response.status_code == 400
    assert response.json()["message"] == "购物车没有要下单的商品"
    assert not Order.objects.exists()


def test_unpublished_selected_course_is_left_out(auth_client, user, courses, cart_with):
    hidden = CourseFactory(is_show=False)
    cart_with(selected=[*courses, hidden])
    order = Order.objects.get(pk=post_order(auth_client).json()["data"]["id"])
    assert hidden.id not in set(order.order_courses.values_list("course_id", flat=True))


def test_only_unpublished_selected_is_400(auth_client, cart_with):
    cart_with(selected=[CourseFactory(is_deleted=True)])
    assert post_order(auth_client).status_code == 400
    assert not Order.objects.exists()


def test_owned_course_cannot_be_bought_again(auth_client, user, courses, cart_with):
    UserCourse.objects.create(user=user, course=courses[0])
    cart_with(selected=courses)
    response = post_order(auth_client)
    assert response.status_code == 400 and courses[0].name in response.json()["message"]
    assert not Order.objects.exists()


def test_course_waiting_in_an_unpaid_order_is_409(auth_client, user, courses, cart_with):
    cart_with(selected=courses)
    assert post_order(auth_client).status_code == 201
    cart_with(selected=courses)  # e.g. the cart was refilled before the first order's cleanup
    response = post_order(auth_client)
    assert response.status_code == 409
    assert Order.objects.count() == 1


def test_activity_price_is_the_real_price_of_its_line(auth_client, user, cart_with):
    discounted = ActivityPriceFactory(course__price="399.00", sale="-41").course
    cart_with(selected=[discounted])
    order = Order.objects.get(pk=post_order(auth_client).json()["data"]["id"])
    detail = order.order_courses.get()
    assert detail.price == Decimal("399.00") and detail.real_price == Decimal("358.00")
    assert detail.discount_name == "限时折扣"
    assert order.total_price == Decimal("399.00") and order.real_price == Decimal("358.00")


# --- credit ----------------------------------------------------------------------------------


def test_credit_is_deducted_with_a_log_line(auth_client, user, courses, cart_with):
    cart_with(selected=courses)
    order = Order.objects.get(pk=post_order(auth_client, credit=150).json()["data"]["id"])
    assert order.credit == 150 and order.credit_discount == Decimal("15.00")
    assert order.real_price == Decimal("485.00")
    user.refresh_from_db()
    assert user.credit == 850
    log = Credit.objects.get(user=user)
    assert log.operation == Credit.Operation.SPEND and log.number == -150 and order.order_number in log.remark


@pytest.mark.parametrize(
    "credit, reason",
    [(151, "more than the courses allow"), (-1, "negative"), ("1.5", "fractional"), ("abc", "not a number"),
     (2**70, "beyond 64 bits"), (None, "null")],
)  # fmt: skip
def test_bad_credit_is_400_and_changes_nothing(auth_client, user, courses, cart_with, credit, reason):
    cart_with(selected=courses)
    response = post_order(auth_client, credit=credit)
    assert response.status_code == 400, reason
    assert response.json()["code"] == 400
    assert not Order.objects.exists()
    user.refresh_from_db()
    assert user.credit == 1000 and not Credit.objects.exists()
    assert len(redis_store.selected_course_ids(user.id)) == 2


def test_credit_beyond_balance_is_400(db, courses, cart_with):
    from conftest import client_for

    poor = UserFactory(credit=10)
    cart_with(selected=courses, owner=poor)
    response = post_order(client_for(poor), credit=11)
    assert response.status_code == 400 and "10" in response.json()["message"]


# --- coupons ---------------------------------------------------------------------------------


def test_reduce_coupon_and_credit_add_up(
    auth_client, user, courses, cart_with, mirrored, django_capture_on_commit_callbacks
):
    log = CouponLogFactory(user=user, coupon__sale="-20")
    mirrored(log)
    cart_with(selected=courses)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_order(auth_client, user_coupon_id=log.id, credit=100)
    order = Order.objects.get(pk=response.json()["data"]["id"])
    assert order.coupon_discount == Decimal("20.00") and order.credit_discount == Decimal("10.00")
    assert order.real_price == Decimal("470.00")  # 500 − 20 − 10: both discounts count
    log.refresh_from_db()
    assert log.order_id == order.id and log.use_status == CouponLog.UseStatus.UNUSED
    assert order.user_coupon_id == log.id
    assert coupon_store.read_all(user.id) == []  # no longer offered


def test_rate_coupon_takes_off_part_of_the_most_expensive_applicable_course(auth_client, user, courses, cart_with):
    log = CouponLogFactory(user=user, coupon__discount=Coupon.Discount.RATE, coupon__sale="*0.8")
    cart_with(selected=courses)
    order = Order.objects.get(pk=post_order(auth_client, user_coupon_id=log.id).json()["data"]["id"])
    assert order.coupon_discount == Decimal("60.00")  # (1 − 0.8) × 300
    assert order.real_price == Decimal("440.00")


def test_rate_coupon_skips_courses_with_an_activity_price(auth_client, user, cart_with):
    discounted = ActivityPriceFactory(course__price="500.00", sale="*0.5").course
    plain = CourseFactory(price="100.00")
    log = CouponLogFactory(user=user, coupon__discount=Coupon.Discount.RATE, coupon__sale="*0.5")
    cart_with(selected=[discounted, plain])
    order = Order.objects.get(pk=post_order(auth_client, user_coupon_id=log.id).json()["data"]["id"])
    assert order.coupon_discount == Decimal("50.00")  # half of the plain course only
    assert order.real_price == Decimal("300.00")  # 250 + 100 − 50


def test_rate_coupon_with_only_activity_priced_courses_is_400_not_a_crash(auth_client, user, cart_with):
    discounted = ActivityPriceFactory(course__price="500.00").course
    log = CouponLogFactory(user=user, coupon__discount=Coupon.Discount.RATE, coupon__sale="*0.8")
    cart_with(selected=[discounted])
    response = post_order(auth_client, user_coupon_id=log.id)
    assert response.status_code == 400 and not Order.objects.exists()


def test_real_price_never_goes_below_zero_and_a_free_order_is_paid_at_once(auth_client, user, cart_with):
    cheap = CourseFactory(price="15.00", credit=100)
    log = CouponLogFactory(user=user, coupon__sale="-10")
    cart_with(selected=[cheap])
    # 5.00 is left after the coupon: 50 credit pay it, exactly (more would be refused)
    response = post_order(auth_client, user_coupon_id=log.id, credit=50)
    assert response.json()["data"]["order_status"] == Order.Status.PAID
    order = Order.objects.get(pk=response.json()["data"]["id"])
    assert order.real_price == Decimal("0.00")
    assert order.coupon_discount == Decimal("10.00") and order.credit_discount == Decimal("5.00")
    assert order.order_status == Order.Status.PAID and order.pay_time
    assert UserCourse.objects.filter(user=user, course=cheap).exists()
    log.refresh_from_db()
    assert log.use_status == CouponLog.UseStatus.USED and log.order_id == order.id
    user.refresh_from_db()
    assert user.credit == 950 and order.credit == 50  # exactly what bought something was spent
    assert list(Credit.objects.filter(user=user).values_list("operation", "number")) == [(Credit.Operation.SPEND, -50)]


def test_reduce_coupon_never_takes_off_more_than_the_applicable_courses_cost(auth_client, user, cart_with):
    cheap = CourseFactory(price="15.00")
    log = CouponLogFactory(user=user, coupon__sale="-50")
    cart_with(selected=[cheap])
    order = Order.objects.get(pk=post_order(auth_client, user_coupon_id=log.id).json()["data"]["id"])
    assert order.coupon_discount == Decimal("15.00") and order.real_price == Decimal("0.00")


def coupon_refused(client, user, log, courses, cart_with, status=400):
    cart_with(selected=courses)
    response = post_order(client, user_coupon_id=log.id if hasattr(log, "id") else log)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == status
    assert not Order.objects.exists()
    user.refresh_from_db()
    assert user.credit == 1000
    assert len(redis_store.selected_course_ids(user.id)) == len(courses)
    return response


def test_coupon_of_another_user_is_refused(auth_client, user, courses, cart_with):
    foreign = CouponLogFactory(user=UserFactory())
    coupon_refused(auth_client, user, foreign, courses, cart_with)
    foreign.refresh_from_db()
    assert foreign.order_id is None


def test_unknown_coupon_is_refused(auth_client, user, courses, cart_with):
    coupon_refused(auth_client, user, 987654, courses, cart_with)


def test_used_coupon_cannot_be_replayed(auth_client, user, courses, cart_with):
    used = CouponLogFactory(user=user, use_status=CouponLog.UseStatus.USED, use_time=timezone.now())
    coupon_refused(auth_client, user, used, courses, cart_with)


def test_coupon_bound_to_another_live_order_is_409(auth_client, user, courses, cart_with):
    cart_with(selected=courses[:1])
    log = CouponLogFactory(user=user)
    assert post_order(auth_client, user_coupon_id=log.id).status_code == 201
    cart_with(selected=courses[1:])
    response = post_order(auth_client, user_coupon_id=log.id)
    assert response.status_code == 409
    assert Order.objects.count() == 1


@pytest.mark.parametrize("window", ["future", "ended"])
def test_coupon_outside_its_time_window_is_refused(auth_client, user, courses, cart_with, window):
    now = timezone.now()
    start, end = (now + timedelta(days=1), now + timedelta(days=2)) if window == "future" else (
        now - timedelta(days=2), now - timedelta(seconds=1))  # fmt: skip
    log = CouponLogFactory(user=user, coupon__start_time=start, coupon__end_time=end)
    assert "有效期" in coupon_refused(auth_client, user, log, courses, cart_with).json()["message"]


def test_coupon_below_its_minimum_spend_is_refused(auth_client, user, courses, cart_with):
    log = CouponLogFactory(user=user, coupon__condition=Decimal("501.00"))
    coupon_refused(auth_client, user, log, courses, cart_with)


def test_minimum_spend_is_met_exactly(auth_client, user, courses, cart_with):
    log = CouponLogFactory(user=user, coupon__condition=Decimal("500.00"))
    cart_with(selected=courses)
    assert post_order(auth_client, user_coupon_id=log.id).status_code == 201


def test_scoped_coupons_apply_only_to_their_scope(auth_client, user, courses, cart_with):
    other = CourseFactory()
    direction_coupon = CouponFactory(coupon_type=Coupon.CouponType.DIRECTION, directions=[other.direction])
    category_coupon = CouponFactory(coupon_type=Coupon.CouponType.CATEGORY, categories=[other.category])
    course_coupon = CouponFactory(coupon_type=Coupon.CouponType.COURSE, courses=[other])
    for coupon in (direction_coupon, category_coupon, course_coupon):
        log = CouponLogFactory(user=user, coupon=coupon)
        cart_with(selected=courses)
        assert post_order(auth_client, user_coupon_id=log.id).status_code == 400
    course_only = CouponLogFactory(
        user=user, coupon=CouponFactory(coupon_type=Coupon.CouponType.COURSE, courses=[courses[1]], sale="-30")
    )
    order = Order.objects.get(pk=post_order(auth_client, user_coupon_id=course_only.id).json()["data"]["id"])
    assert order.coupon_discount == Decimal("30.00")


def test_a_failure_late_in_creation_rolls_everything_back(
    auth_client, user, courses, cart_with, mirrored, monkeypatch, django_capture_on_commit_callbacks
):
    log = CouponLogFactory(user=user)
    mirrored(log)
    cart_with(selected=courses)

    def broken_spend(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("apps.orders.services.spend_credit", broken_spend)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_order(auth_client, user_coupon_id=log.id, credit=100)

    assert response.status_code == 500
    assert not Order.objects.exists() and not OrderDetail.objects.exists()
    log.refresh_from_db()
    assert log.order_id is None
    assert [r["user_coupon_id"] for r in coupon_store.read_all(user.id)] == [log.id]  # Redis untouched
    assert len(redis_store.selected_course_ids(user.id)) == 2
    assert queued_tasks("order_timeout") == []


@pytest.mark.parametrize(
    "body",
    [{"pay_type": 9}, {"pay_type": "abc"}, {"user_coupon_id": "abc"}, {"user_coupon_id": -2},
     {"user_coupon_id": 2**64}],
)  # fmt: skip
def test_bad_input_is_400(auth_client, courses, cart_with, body):
    cart_with(selected=courses)
    response = post_order(auth_client, **body)
    assert response.status_code == 400 and response.json()["code"] == 400
    assert not Order.objects.exists()


def test_pay_types_nobody_can_collect_are_refused(auth_client, courses, cart_with):
    cart_with(selected=courses)
    response = post_order(auth_client, pay_type=Order.PayType.WECHAT)
    assert response.status_code == 400 and response.json()["message"] == "暂只支持支付宝或余额支付"
    assert not Order.objects.exists()


def test_malformed_json_is_400(auth_client):
    response = auth_client.post("/order/", "{", content_type="application/json")
    assert response.status_code == 400


def test_anonymous_cannot_order(api_client):
    assert post_order(api_client).status_code == 401
