"""POST /order/ with pay_type 2 (余额, SPEC §9.2): paid at once from the balance in the order's own
transaction, or 400 余额不足 with nothing changed."""

from decimal import Decimal

import pytest

from apps.cart import redis_store
from apps.coupon.models import CouponLog
from apps.coupon.tests.factories import CouponLogFactory
from apps.orders.models import Order
from apps.payments.models import Payment
from apps.payments.tests.ledgers import assert_ledgers, fund
from apps.users.models import Credit, MoneyLog, UserCourse

pytestmark = pytest.mark.django_db


def post_order(client, **body):
    return client.post("/order/", body, format="json")


def test_balance_pays_the_order_at_once(auth_client, user, courses, cart_with):
    fund(user, "600.00")
    log = CouponLogFactory(user=user)
    cart_with(selected=courses)

    response = post_order(auth_client, pay_type=2, user_coupon_id=log.id, credit=100)

    assert response.status_code == 201, response.json()
    assert response.json()["data"]["order_status"] == Order.Status.PAID
    order = Order.objects.get()
    assert (order.pay_type, order.order_status, order.trade_no) == (Order.PayType.BALANCE, Order.Status.PAID, "")
    assert order.pay_time is not None and order.real_price > 0
    user.refresh_from_db()
    assert user.money == Decimal("600.00") - order.real_price
    line = MoneyLog.objects.filter(operation=MoneyLog.Operation.PAY).get()
    assert line.amount == -order.real_price and line.balance_after == user.money
    assert order.order_number in line.remark
    assert set(UserCourse.objects.filter(user=user).values_list("course_id", flat=True)) == {c.id for c in courses}
    log.refresh_from_db()
    assert log.use_status == CouponLog.UseStatus.USED and log.order_id == order.pk
    assert user.credit == 900 and Credit.objects.filter(user=user, number=-100).count() == 1
    assert not Payment.objects.exists()  # no Alipay money: the balance line is the record
    assert_ledgers(user, initial_credit=1000)


def test_exactly_the_balance_is_enough_and_leaves_zero(auth_client, user, courses, cart_with):
    fund(user, "470.00")
    cart_with(selected=courses)
    log = CouponLogFactory(user=user)
    assert post_order(auth_client, pay_type=2, user_coupon_id=log.id, credit=100).status_code == 201
    user.refresh_from_db()
    assert user.money == Decimal("0.00")
    assert_ledgers(user, initial_credit=1000)


def test_insufficient_balance_is_400_and_changes_nothing(auth_client, user, courses, cart_with):
    fund(user, "469.99")  # the courses cost 500.00; coupon (-20) and 100 credit (-10) leave 470.00
    log = CouponLogFactory(user=user)
    cart_with(selected=courses)

    response = post_order(auth_client, pay_type=2, user_coupon_id=log.id, credit=100)
    response_with_coupon = post_order(auth_client, pay_type=2)

    for answer in (response, response_with_coupon):
        assert answer.status_code == 400 and answer.json()["message"] == "余额不足", answer.json()
    assert not Order.objects.exists()
    user.refresh_from_db()
    assert (user.money, user.credit) == (Decimal("469.99"), 1000)
    assert not Credit.objects.filter(user=user).exists()
    assert MoneyLog.objects.filter(user=user).count() == 1  # the funding line only
    log.refresh_from_db()
    assert log.use_status == CouponLog.UseStatus.UNUSED and log.order_id is None
    assert not UserCourse.objects.filter(user=user).exists()
    assert set(redis_store.selected_course_ids(user.id)) == {c.id for c in courses}  # cart kept
    assert_ledgers(user, initial_credit=1000)


def test_a_balance_order_covered_by_credit_takes_no_money(auth_client, user, cart_with):
    from apps.course.tests.factories import CourseFactory

    course = CourseFactory(price="10.00", credit=100)
    cart_with(selected=[course])
    response = post_order(auth_client, pay_type=2, credit=100)  # 100 credit = 10.00 yuan
    assert response.status_code == 201 and response.json()["data"]["order_status"] == 1
    assert not MoneyLog.objects.exists()


def test_a_balance_order_has_no_alipay_link(auth_client, user, courses, cart_with, settings):
    settings.ALIPAY_APP_ID, settings.ALIPAY_SANDBOX = "", True
    fund(user, "500.00")
    cart_with(selected=courses)
    number = post_order(auth_client, pay_type=2).json()["data"]["order_number"]
    assert auth_client.get(f"/payments/alipay/{number}/").status_code in (400, 409)
