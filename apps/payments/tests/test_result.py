import pytest

from apps.orders.models import Order
from apps.payments.tests.fake_alipay import APP_ID, KeyPair, sign_notify

pytestmark = pytest.mark.django_db

RESULT = "/payments/alipay/result/"


def return_params(order, alipay_key, **overrides):
    params = {
        "charset": "utf-8",
        "out_trade_no": order.order_number,
        "method": "alipay.trade.page.pay.return",
        "total_amount": f"{order.real_price:.2f}",
        "trade_no": "2026112622001400000000000042",
        "auth_app_id": APP_ID,
        "version": "1.0",
        "app_id": APP_ID,
        "seller_id": "2088000000000000",
        "timestamp": "2026-11-26 15:00:03",
    }
    params.update(overrides)
    return sign_notify(params, alipay_key)


def test_return_of_a_paid_order_answers_pay_time_price_and_courses(api_client, order, alipay, alipay_key):
    Order.objects.filter(pk=order.pk).update(order_status=Order.Status.PAID, pay_time="2026-11-26T07:00:00Z")
    detail = order.order_courses.get()

    response = api_client.get(RESULT, return_params(order, alipay_key))

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["order_status"] == 1
    assert data["pay_time"] == "2026-11-26T15:00:00+08:00"
    assert data["real_price"] == "358.00"
    assert data["course_list"] == [{"id": detail.course_id, "name": detail.name}]


def test_return_never_pays_the_order(api_client, order, alipay, alipay_key):
    response = api_client.get(RESULT, return_params(order, alipay_key))

    assert response.status_code == 200
    assert response.json()["data"]["order_status"] == 0
    assert response.json()["data"]["pay_time"] is None
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID
    assert alipay.calls == []


def test_return_with_a_bad_signature_is_refused(api_client, order, alipay):
    response = api_client.get(RESULT, return_params(order, KeyPair()))

    assert response.status_code == 400
    assert response.json()["code"] == 400


def test_return_for_an_unknown_order_is_refused(api_client, order, alipay, alipay_key):
    response = api_client.get(RESULT, return_params(order, alipay_key, out_trade_no="202611260000000199999999"))

    assert response.status_code == 400


def test_return_without_parameters_is_refused(api_client, alipay):
    assert api_client.get(RESULT).status_code == 400
