"""Credit never buys nothing (SPEC §4.4, issue 11 item 1): credit / CREDIT_TO_MONEY may not exceed
what is left to pay after the coupon; more is a 400 naming the largest usable amount, and nothing is
spent. The checkout data tells the client that bound for each coupon choice."""

from decimal import Decimal

import pytest

from apps.cart import redis_store
from apps.coupon.models import CouponLog
from apps.coupon.tests.factories import CouponLogFactory
from apps.course.tests.factories import ActivityPriceFactory, CourseFactory
from apps.orders.models import Order
from apps.users.models import Credit, UserCourse

pytestmark = pytest.mark.django_db


def post_order(client, **body):
    return client.post("/order/", {"pay_type": 0, "user_coupon_id": -1, "credit": 0, **body}, format="json")


def assert_nothing_spent(user, *coupon_logs, cart_lines: int = 1):
    """No order, the credit balance and its ledger untouched, every coupon record free and unused."""
    assert not Order.objects.exists()
    user.refresh_from_db()
    assert user.credit == 1000 and not Credit.objects.filter(user=user).exists()
    for log in coupon_logs:
        log.refresh_from_db()
        assert log.order_id is None and log.use_status == CouponLog.UseStatus.UNUSED and log.use_time is None
    assert not UserCourse.objects.filter(user=user).exists()
    assert len(redis_store.selected_course_ids(user.id)) == cart_lines


def test_coupon_worth_more_than_the_price_leaves_no_room_for_credit(auth_client, user, mirrored):
    """The attack run's case: 100.00 (credit 50), a coupon worth more, credit 50 → paid at 0.00 and
    1000 → 950 credit for good. Now a 400 that says 0 credit is usable, and nothing is spent."""
    course = CourseFactory(price="100.00", credit=50)
    log = CouponLogFactory(user=user, coupon__sale="-150")
    mirrored(log)
    redis_store.add_line(user.id, course.id)

    response = post_order(auth_client, user_coupon_id=log.id, credit=50)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and "最多可使用 0 积分" in body["message"]
    assert body["data"] == {"max_credit": 0}
    assert_nothing_spent(user, log)


def test_credit_beyond_what_is_left_after_the_coupon_is_400_naming_the_bound(auth_client, user):
    course = CourseFactory(price="15.00", credit=100)
    log = CouponLogFactory(user=user, coupon__sale="-10")
    redis_store.add_line(user.id, course.id)

    response = post_order(auth_client, user_coupon_id=log.id, credit=51)

    assert response.status_code == 400
    assert "最多可使用 50 积分" in response.json()["message"]
    assert response.json()["data"] == {"max_credit": 50}
    assert_nothing_spent(user, log)


def test_without_a_coupon_credit_may_not_exceed_the_real_price(auth_client, user):
    course = ActivityPriceFactory(course__price="30.00", course__credit=500, sale="-18").course  # 12.00 to pay
    redis_store.add_line(user.id, course.id)

    response = post_order(auth_client, credit=121)
    assert response.status_code == 400 and response.json()["data"] == {"max_credit": 120}
    assert_nothing_spent(user)

    response = post_order(auth_client, credit=120)
    assert response.status_code == 201 and response.json()["data"]["order_status"] == Order.Status.PAID
    order = Order.objects.get()
    assert order.real_price == Decimal("0.00") and order.credit == 120
    user.refresh_from_db()
    assert user.credit == 880
    assert list(Credit.objects.filter(user=user).values_list("number", flat=True)) == [-120]


def test_credit_below_the_bound_is_spent_as_asked(auth_client, user):
    course = CourseFactory(price="100.00", credit=500)
    log = CouponLogFactory(user=user, coupon__sale="-60")
    redis_store.add_line(user.id, course.id)

    response = post_order(auth_client, user_coupon_id=log.id, credit=399)

    assert response.status_code == 201
    order = Order.objects.get()
    assert order.real_price == Decimal("0.10") and order.order_status == Order.Status.UNPAID
    user.refresh_from_db()
    assert user.credit == 601
    assert list(Credit.objects.filter(user=user).values_list("number", flat=True)) == [-399]
    log.refresh_from_db()
    assert log.order_id == order.id and log.use_status == CouponLog.UseStatus.UNUSED


@pytest.mark.parametrize(
    "balance, course_credit, to_pay, rate, expected",
    [
        (1000, 50, "5.00", 10, 50),
        (1000, 500, "5.00", 10, 50),  # the price binds
        (1000, 500, "0.05", 10, 0),  # 1 credit = 0.10 would buy more than is left
        (1000, 500, "0.67", 3, 2),  # 2 credit = 0.67 (rounded), 3 = 1.00
        (1000, 500, "-3.00", 10, 0),  # a coupon worth more than the price
        (20, 500, "100.00", 10, 20),  # the balance binds
        (0, 500, "100.00", 10, 0),
    ],
)
def test_max_usable_credit(settings, balance, course_credit, to_pay, rate, expected):
    from apps.users.selectors import max_usable_credit  # here: the API tests above also run on older code

    settings.CREDIT_TO_MONEY = rate
    bound = max_usable_credit(balance=balance, course_credit=course_credit, to_pay=Decimal(to_pay))
    assert bound == expected
    if bound:  # the bound itself never buys more than is left
        assert (Decimal(bound) / rate).quantize(Decimal("0.01")) <= Decimal(to_pay)


# --- the checkout data tells the client -------------------------------------------------------


def test_cart_order_max_credit_is_bounded_by_the_real_price(auth_client, user):
    redis_store.add_lines(user.id, [CourseFactory(price="15.00", credit=500).id, CourseFactory(price="2.50").id])
    data = auth_client.get("/cart/order/").json()["data"]
    assert data["real_price"] == "17.50" and data["max_credit"] == 175


def test_coupon_enable_answers_the_credit_bound_of_each_coupon(auth_client, user, mirrored):
    course = CourseFactory(price="100.00", credit=800)
    small = CouponLogFactory(user=user, coupon__sale="-20")
    large = CouponLogFactory(user=user, coupon__sale="-150")
    mirrored(small, large)
    redis_store.add_line(user.id, course.id)

    data = auth_client.get("/coupon/enable/").json()["data"]

    assert data["max_credit"] == 800  # without a coupon: the course allows 800 (= 80.00 of 100.00)
    by_id = {coupon["user_coupon_id"]: coupon for coupon in data["coupon_list"]}
    assert by_id[small.id]["amount"] == "20.00" and by_id[small.id]["max_credit"] == 800
    assert by_id[large.id]["amount"] == "100.00" and by_id[large.id]["max_credit"] == 0
    # what is left to pay with each coupon, before credit: the checkout shows it as it is
    assert by_id[small.id]["real_price"] == "80.00" and by_id[large.id]["real_price"] == "0.00"
    # and order creation agrees with what the client was told
    assert post_order(auth_client, user_coupon_id=large.id, credit=1).status_code == 400
    assert post_order(auth_client, user_coupon_id=small.id, credit=800).status_code == 201
