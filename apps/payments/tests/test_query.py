from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.orders.models import Order
from apps.payments.models import Payment
from apps.users.models import UserCourse
from apps.users.tests.factories import UserFactory
from conftest import client_for

pytestmark = pytest.mark.django_db


def query_url(order):
    return f"/payments/alipay/query/{order.order_number}/"


def test_poll_of_an_unpaid_order_alipay_does_not_know_changes_nothing(auth_client, order, alipay):
    response = auth_client.get(query_url(order))

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 200
    assert body["data"] == {"order_status": 0, "get_order_status_display": "未支付", "pay_time": None}
    assert alipay.calls == [("alipay.trade.query", {"out_trade_no": order.order_number})]
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID


def test_poll_pays_the_order_when_alipay_says_it_is_paid(auth_client, order, alipay):
    alipay.paid(order, trade_no="2026112622001400000000000042")

    response = auth_client.get(query_url(order))

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["order_status"] == 1 and data["get_order_status_display"] == "已支付"
    assert data["pay_time"].startswith("2026-11-26T15:00:00")
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID
    assert order.trade_no == "2026112622001400000000000042"
    assert order.pay_time == datetime(2026, 11, 26, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert UserCourse.objects.filter(user=order.user, course_id=order.order_courses.get().course_id).exists()
    payment = Payment.objects.get()
    assert (payment.status, payment.source, payment.amount) == (
        Payment.Status.PAID,
        Payment.Source.QUERY,
        Decimal("358.00"),
    )


def test_poll_after_payment_asks_alipay_no_more(auth_client, order, alipay):
    alipay.paid(order)
    auth_client.get(query_url(order))

    response = auth_client.get(query_url(order))

    assert response.json()["data"]["order_status"] == 1
    assert len(alipay.calls) == 1
    assert Payment.objects.count() == 1


def test_poll_then_notify_record_the_trade_once(auth_client, api_client, order, alipay, alipay_key):
    from apps.payments.tests.fake_alipay import notify_params

    params = notify_params(order, alipay_key)
    alipay.paid(order, trade_no=params["trade_no"])
    auth_client.get(query_url(order))

    assert api_client.post("/payments/alipay/notify/", params).content == b"success"
    assert Payment.objects.count() == 1
    assert UserCourse.objects.filter(user=order.user).count() == 1


def test_poll_with_alipay_down_answers_the_known_state_with_a_message(auth_client, order, alipay):
    alipay.down = True

    response = auth_client.get(query_url(order))

    assert response.status_code == 200
    body = response.json()
    assert body["data"]["order_status"] == 0
    assert "支付宝" in body["message"]
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID
    assert not Payment.objects.exists()


def test_poll_ignores_a_paid_answer_with_another_amount(auth_client, order, alipay):
    alipay.paid(order, amount="0.01")

    response = auth_client.get(query_url(order))

    assert response.json()["data"]["order_status"] == 0
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID
    assert not Payment.objects.exists()


def test_poll_ignores_an_answer_not_signed_by_alipay(auth_client, order, alipay, app_key):
    alipay.paid(order)
    alipay.alipay_key = app_key  # the answer is signed, but not with Alipay's key

    response = auth_client.get(query_url(order))

    assert response.status_code == 200
    assert response.json()["data"]["order_status"] == 0
    assert not Payment.objects.exists()


@pytest.mark.parametrize("status", [Order.Status.CANCELLED, Order.Status.TIMEOUT])
def test_poll_of_a_closed_order_answers_its_state_without_asking(auth_client, order, alipay, status):
    Order.objects.filter(pk=order.pk).update(order_status=status)

    response = auth_client.get(query_url(order))

    assert response.status_code == 200
    assert response.json()["data"]["order_status"] == status
    assert alipay.calls == []


def test_poll_of_someone_elses_order_is_not_found(order, alipay):
    response = client_for(UserFactory()).get(query_url(order))

    assert response.status_code == 404
    assert alipay.calls == []


def test_poll_of_an_unknown_order_is_not_found(auth_client, alipay):
    assert auth_client.get("/payments/alipay/query/202611260000000100000099/").status_code == 404
