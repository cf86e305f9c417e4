"""A trade belongs to one order (issue 11 item 2), and a notify names our seller (item 3).

A signed notify for order Y carrying the `trade_no` already recorded for order X used to pay Y and
grant its courses while `_record_payment` answered X's row: Y was paid without a payment row. Now it
changes nothing, answers `fail` (400) and logs an error."""

import logging
from decimal import Decimal

import pytest

from apps.coupon.models import CouponLog
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.payments import exceptions
from apps.payments.models import Payment
from apps.payments.services import handle_notify
from apps.payments.tests.factories import OrderFactory
from apps.payments.tests.fake_alipay import notify_params, sign_notify
from apps.users.models import Credit, UserCourse
from tests.builders import unpaid_order
from tests.concurrency import run_concurrently

NOTIFY = "/payments/alipay/notify/"


@pytest.fixture
def order_y(user, django_capture_on_commit_callbacks):
    """An unpaid order of `user` that used a coupon and 100 credit, made by the order service."""
    courses = [CourseFactory(price="300.00", credit=100), CourseFactory(price="200.00")]
    with django_capture_on_commit_callbacks(execute=True):
        return unpaid_order(user, courses=courses).order


def snapshot(order):
    """Everything a payment of `order` would change."""
    order.refresh_from_db()
    user = order.user
    user.refresh_from_db()
    return {
        "status": order.order_status,
        "pay_time": order.pay_time,
        "trade_no": order.trade_no,
        "credit": user.credit,
        "credit_lines": list(Credit.objects.filter(user=user).values_list("id", "number")),
        "coupons": list(CouponLog.objects.filter(user=user).values_list("id", "order_id", "use_status", "use_time")),
        "owned": list(UserCourse.objects.filter(user=user).values_list("course_id", flat=True)),
        "payments": list(Payment.objects.filter(order=order).values_list("id", flat=True)),
    }


@pytest.mark.django_db
def test_a_trade_recorded_for_another_order_pays_nothing(api_client, user, order_y, alipay, alipay_key, caplog):
    order_x = OrderFactory()
    paid_x = api_client.post(NOTIFY, notify_params(order_x, alipay_key, trade_no="2026112622001400000000000042"))
    assert paid_x.content == b"success"
    before = snapshot(order_y)
    assert before["status"] == Order.Status.UNPAID and before["credit"] == 900 and before["owned"] == []

    with caplog.at_level(logging.ERROR, logger="fsapi.payments"):
        response = api_client.post(NOTIFY, notify_params(order_y, alipay_key, trade_no="2026112622001400000000000042"))

    assert response.status_code == 400 and response.content == b"fail"
    assert snapshot(order_y) == before  # unpaid, credit, its ledger, the coupon, no course, no payment
    assert list(Payment.objects.values_list("order_id", "status")) == [(order_x.pk, Payment.Status.PAID)]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and "2026112622001400000000000042" in errors[0].getMessage()
    assert order_y.order_number in errors[0].getMessage()


@pytest.mark.django_db
def test_a_trade_of_another_order_is_refused_even_after_the_order_closed(api_client, user, alipay, alipay_key):
    """Not even recorded for refund: the trade's money is already X's payment."""
    order_x, order_y = OrderFactory(user=user), OrderFactory(user=user)
    Order.objects.filter(pk=order_y.pk).update(order_status=Order.Status.CANCELLED)
    assert api_client.post(NOTIFY, notify_params(order_x, alipay_key, trade_no="T42")).content == b"success"

    response = api_client.post(NOTIFY, notify_params(order_y, alipay_key, trade_no="T42"))

    assert response.status_code == 400
    assert list(Payment.objects.values_list("order_id", flat=True)) == [order_x.pk]


@pytest.mark.django_db(transaction=True)
def test_two_orders_racing_with_one_trade_number_pay_one(alipay, alipay_key):
    """Both notifies pass the early check; the unique trade index decides and the loser's payment
    is rolled back whole."""
    order_x, order_y = OrderFactory(), OrderFactory()
    params = [notify_params(order, alipay_key, trade_no="T-RACE") for order in (order_x, order_y)]

    results = run_concurrently(*(lambda p=p: handle_notify(p) for p in params))

    refused = [r for r in results if isinstance(r, exceptions.TradeOfAnotherOrder)]
    assert len(refused) == 1 and results.count("paid") == 1, results
    payment = Payment.objects.get()
    statuses = dict(Order.objects.filter(pk__in=[order_x.pk, order_y.pk]).values_list("pk", "order_status"))
    assert statuses[payment.order_id] == Order.Status.PAID
    loser = order_y.pk if payment.order_id == order_x.pk else order_x.pk
    assert statuses[loser] == Order.Status.UNPAID
    loser_course = Order.objects.get(pk=loser).order_courses.get().course_id
    assert Order.objects.get(pk=loser).trade_no == ""
    assert not UserCourse.objects.filter(course_id=loser_course).exists()


# --- seller_id (SPEC §7) ----------------------------------------------------------------------


@pytest.mark.django_db
def test_notify_for_another_seller_is_refused_when_the_seller_is_configured(
    api_client, order, alipay, alipay_key, settings
):
    settings.ALIPAY_SELLER_ID = "2088123456789012"

    wrong = api_client.post(NOTIFY, notify_params(order, alipay_key, seller_id="2088000000000000"))
    unsigned = notify_params(order, alipay_key)
    del unsigned["seller_id"]
    missing = api_client.post(NOTIFY, sign_notify(unsigned, alipay_key))

    assert (wrong.status_code, wrong.content) == (400, b"fail")
    assert missing.status_code == 400
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID and not Payment.objects.exists()
    assert not UserCourse.objects.filter(user=order.user).exists()

    right = api_client.post(NOTIFY, notify_params(order, alipay_key, seller_id="2088123456789012"))
    assert right.content == b"success"
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID and Payment.objects.get().amount == Decimal("358.00")


@pytest.mark.django_db
def test_any_seller_is_accepted_when_none_is_configured(api_client, order, alipay, alipay_key, settings):
    settings.ALIPAY_SELLER_ID = ""
    assert api_client.post(NOTIFY, notify_params(order, alipay_key, seller_id="2088999")).content == b"success"


@pytest.mark.django_db
def test_the_sandbox_sends_the_configured_seller(auth_client, order, sandbox_settings, settings):
    from django.test import Client

    settings.ALIPAY_SELLER_ID = "2088123456789012"
    link = auth_client.get(f"/payments/alipay/{order.order_number}/").json()["data"]["link"]
    path = link.removeprefix("http://testserver")

    assert Client().post(path).status_code == 302

    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID
    assert Payment.objects.get().raw["seller_id"] == "2088123456789012"
