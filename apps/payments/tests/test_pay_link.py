import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.payments.tests.factories import OrderFactory
from apps.payments.tests.fake_alipay import (
    APP_ID,
    GATEWAY_URL,
    NOTIFY_URL,
    RETURN_URL,
    beijing,
    request_params,
    request_signature_ok,
)
from apps.users.tests.factories import UserFactory
from conftest import client_for

pytestmark = pytest.mark.django_db


def link_url(order):
    return f"/payments/alipay/{order.order_number}/"


def get_link(client, order):
    response = client.get(link_url(order))
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def test_link_is_a_signed_page_pay_request_for_the_order(auth_client, order, alipay, app_key):
    data = get_link(auth_client, order)

    assert data["pay_type"] == 0 and data["get_pay_type_display"] == "支付宝"
    assert data["link"].startswith(GATEWAY_URL + "?")
    params = request_params(data["link"])
    assert request_signature_ok(params, app_key)
    assert params["app_id"] == APP_ID
    assert params["method"] == "alipay.trade.page.pay"
    assert params["sign_type"] == "RSA2"
    assert params["return_url"] == RETURN_URL
    assert params["notify_url"] == NOTIFY_URL
    biz = json.loads(params["biz_content"])
    assert biz["out_trade_no"] == order.order_number
    assert biz["total_amount"] == "358.00"  # a string with two decimals
    assert biz["product_code"] == "FAST_INSTANT_TRADE_PAY"
    assert biz["subject"] == order.order_courses.get().name
    assert biz["time_expire"] == beijing(order.created_time + timedelta(seconds=900))
    assert alipay.calls == []  # building a link calls nobody


def test_paying_again_gives_a_link_for_the_same_trade(auth_client, order, alipay):
    first = json.loads(request_params(get_link(auth_client, order)["link"])["biz_content"])
    second = json.loads(request_params(get_link(auth_client, order)["link"])["biz_content"])

    assert first["out_trade_no"] == second["out_trade_no"] == order.order_number
    assert first["time_expire"] == second["time_expire"]  # the deadline does not move
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID


def test_amount_keeps_cents(auth_client, user, alipay):
    order = OrderFactory(user=user, total_price=Decimal("99.90"), real_price=Decimal("0.10"))

    biz = json.loads(request_params(get_link(auth_client, order)["link"])["biz_content"])

    assert biz["total_amount"] == "0.10"


def test_long_subject_is_shortened(auth_client, user, alipay):
    courses = [CourseFactory(name=f"Python 全栈开发第{n}期·从入门到精通（含项目实战）") for n in range(8)]
    order = OrderFactory(user=user, courses=courses)

    subject = json.loads(request_params(get_link(auth_client, order)["link"])["biz_content"])["subject"]

    assert len(subject) <= 120
    assert subject.endswith("等8门课程")


def test_someone_elses_order_is_not_found(order, alipay):
    stranger = client_for(UserFactory())

    response = stranger.get(link_url(order))

    assert response.status_code == 404
    assert response.json()["code"] == 404


def test_unknown_order_is_not_found(auth_client, alipay):
    response = auth_client.get("/payments/alipay/202611260000000100000099/")

    assert response.status_code == 404


def test_anonymous_caller_is_unauthorised(api_client, order, alipay):
    assert api_client.get(link_url(order)).status_code == 401


@pytest.mark.parametrize("status", [Order.Status.PAID, Order.Status.CANCELLED, Order.Status.TIMEOUT])
def test_order_that_left_unpaid_cannot_be_paid(auth_client, order, alipay, status):
    Order.objects.filter(pk=order.pk).update(order_status=status)

    response = auth_client.get(link_url(order))

    assert response.status_code == 409
    assert response.json()["code"] == 409


def test_order_past_its_time_out_cannot_be_paid_even_before_the_sweep(auth_client, order, alipay):
    Order.objects.filter(pk=order.pk).update(created_time=timezone.now() - timedelta(seconds=901))

    assert auth_client.get(link_url(order)).status_code == 409


def test_free_order_needs_no_alipay(auth_client, user, alipay):
    order = OrderFactory(user=user, real_price=Decimal("0.00"))

    assert auth_client.get(link_url(order)).status_code == 400


def test_order_number_that_is_not_24_digits_is_not_routed(auth_client, alipay):
    assert auth_client.get("/payments/alipay/12345/").status_code == 404


def test_misconfigured_alipay_is_a_503_not_a_500(auth_client, order, alipay_settings):
    alipay_settings.ALIPAY_PUBLIC_KEY = "not a key"

    response = auth_client.get(link_url(order))

    assert response.status_code == 503
    assert response.json()["code"] == 503
