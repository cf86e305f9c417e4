"""The local sandbox, end to end in-process: link → cashier page → 支付 → order paid."""

import json
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from apps.orders.models import Order
from apps.payments.channel import get_gateway
from apps.payments.models import Payment
from apps.payments.sandbox import SANDBOX_APP_ID, sandbox_keys
from apps.payments.tests.fake_alipay import RETURN_URL, request_params
from apps.users.models import UserCourse

pytestmark = pytest.mark.django_db


def sandbox_link(client, order):
    response = client.get(f"/payments/alipay/{order.order_number}/")
    assert response.status_code == 200, response.json()
    return response.json()["data"]["link"]


def cashier_path(link):
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def test_sandbox_flow_pays_the_order_and_grants_its_courses(auth_client, order, sandbox_settings):
    link = sandbox_link(auth_client, order)
    assert link.startswith("http://testserver/payments/alipay/sandbox/cashier/?")
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(cashier_path(link))
    assert page.status_code == 200
    html = page.content.decode()
    assert order.order_number in html and "358.00" in html and order.order_courses.get().name in html
    token = page.cookies["csrftoken"].value
    paid = browser.post(cashier_path(link), {"csrfmiddlewaretoken": token})

    assert paid.status_code == 302
    assert paid["Location"].startswith(RETURN_URL + "?")
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID
    assert order.trade_no == f"SANDBOX{order.order_number}"
    assert order.pay_time is not None
    assert UserCourse.objects.filter(user=order.user, course_id=order.order_courses.get().course_id).exists()
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PAID and payment.raw["app_id"] == SANDBOX_APP_ID

    # the return page's call verifies the sandbox's signed return parameters
    result = auth_client.get("/payments/alipay/result/", request_params(paid["Location"]))
    assert result.status_code == 200
    assert result.json()["data"]["order_status"] == 1
    # and polling answers from the sandbox's records
    poll = auth_client.get(f"/payments/alipay/query/{order.order_number}/")
    assert poll.json()["data"]["order_status"] == 1


def test_sandbox_notify_goes_through_the_notify_verification(auth_client, order, sandbox_settings):
    """The cashier's notify is the one POST /payments/alipay/notify/ accepts: replaying it there works."""
    link = sandbox_link(auth_client, order)
    Client().post(cashier_path(link))
    payment = Payment.objects.get()

    replay = Client().post("/payments/alipay/notify/", payment.raw)
    tampered = Client().post("/payments/alipay/notify/", {**payment.raw, "total_amount": "0.01"})

    assert replay.content == b"success"
    assert tampered.status_code == 400
    assert Payment.objects.count() == 1


def test_second_click_on_pay_changes_nothing(auth_client, order, sandbox_settings):
    link = sandbox_link(auth_client, order)
    Client().post(cashier_path(link))

    again = Client().post(cashier_path(link))

    assert again.status_code == 409
    assert "已支付" in again.content.decode()
    assert Payment.objects.count() == 1
    assert UserCourse.objects.filter(user=order.user).count() == 1


def test_cashier_refuses_a_cancelled_order_whose_trade_was_closed(
    auth_client, order, sandbox_settings, django_capture_on_commit_callbacks
):
    from apps.payments.tasks import close_alipay_trade

    link = sandbox_link(auth_client, order)
    Order.objects.filter(pk=order.pk).update(order_status=Order.Status.CANCELLED)
    close_alipay_trade.apply(args=[order.order_number])

    page = Client().get(cashier_path(link))
    paid = Client().post(cashier_path(link))

    assert "交易已关闭" in page.content.decode() and "<form" not in page.content.decode()
    assert paid.status_code == 409
    assert not Payment.objects.exists()


def test_cashier_refuses_after_the_expiry(order, sandbox_settings):
    # the cashier trusts only the signed time_expire: sign a request whose expiry has passed
    query = get_gateway().page_pay_query(
        out_trade_no=order.order_number,
        total_amount=order.real_price,
        subject="课程",
        time_expire=timezone.now() - timedelta(minutes=1),
    )

    page = Client().get(f"/payments/alipay/sandbox/cashier/?{query}")
    paid = Client().post(f"/payments/alipay/sandbox/cashier/?{query}")

    assert "交易已关闭" in page.content.decode()
    assert paid.status_code == 409
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID


def test_cashier_refuses_a_tampered_request(auth_client, order, sandbox_settings):
    params = request_params(sandbox_link(auth_client, order))
    params["biz_content"] = json.dumps({**json.loads(params["biz_content"]), "total_amount": "0.01"})

    page = Client().get("/payments/alipay/sandbox/cashier/", params)
    paid = Client().post(f"/payments/alipay/sandbox/cashier/?{urlencode(params)}")

    assert page.status_code == 400 and "签名无效" in page.content.decode()
    assert paid.status_code == 400
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID
    assert not Payment.objects.exists()


def test_sandbox_does_not_exist_with_real_credentials(auth_client, order, sandbox_settings, alipay_settings):
    response = Client().get("/payments/alipay/sandbox/cashier/?out_trade_no=1")

    assert response.status_code == 404
    assert not get_gateway().is_sandbox


def test_sandbox_is_off_when_disabled_and_links_answer_503(auth_client, order, sandbox_settings):
    sandbox_settings.ALIPAY_SANDBOX = False

    assert Client().get("/payments/alipay/sandbox/cashier/").status_code == 404
    assert auth_client.get(f"/payments/alipay/{order.order_number}/").status_code == 503


def test_sandbox_keys_are_generated_once_and_kept(tmp_path):
    first = sandbox_keys(tmp_path)
    second = sandbox_keys(tmp_path)

    assert first == second
    assert first.app_private != first.alipay_private
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alipay_private_key.pem", "app_private_key.pem"]
    assert (tmp_path / "app_private_key.pem").stat().st_mode & 0o077 == 0
