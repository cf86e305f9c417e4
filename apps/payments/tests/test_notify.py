import logging
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.orders.models import Order
from apps.payments.models import Payment
from apps.payments.tests.fake_alipay import KeyPair, notify_params, sign_notify
from apps.users.models import UserCourse

pytestmark = pytest.mark.django_db

NOTIFY = "/payments/alipay/notify/"


def post_notify(client, params, path=NOTIFY):
    return client.post(path, params)  # form-encoded, as Alipay sends it


def assert_unchanged(order):
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID
    assert order.pay_time is None and order.trade_no == ""
    assert not Payment.objects.exists()
    assert not UserCourse.objects.filter(user=order.user).exists()


def test_valid_notify_pays_the_order_and_grants_its_courses(api_client, order, alipay, alipay_key):
    params = notify_params(order, alipay_key)

    response = post_notify(api_client, params)

    assert response.status_code == 200
    assert response.content == b"success"
    assert response["Content-Type"].startswith("text/plain")
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID
    assert order.trade_no == params["trade_no"]
    assert order.pay_time == datetime(2026, 11, 26, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    course_id = order.order_courses.get().course_id
    assert UserCourse.objects.filter(user=order.user, course_id=course_id).count() == 1
    payment = Payment.objects.get()
    assert (payment.order_id, payment.trade_no, payment.out_trade_no) == (
        order.pk,
        params["trade_no"],
        order.order_number,
    )
    assert payment.amount == Decimal("358.00")
    assert payment.status == Payment.Status.PAID
    assert payment.source == Payment.Source.NOTIFY
    assert payment.raw["sign"] == params["sign"]


def test_trade_finished_also_pays(api_client, order, alipay, alipay_key):
    response = post_notify(api_client, notify_params(order, alipay_key, trade_status="TRADE_FINISHED"))

    assert response.content == b"success"
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID


def test_notify_url_without_final_slash_works(api_client, order, alipay, alipay_key):
    response = post_notify(api_client, notify_params(order, alipay_key), path=NOTIFY.rstrip("/"))

    assert response.status_code == 200 and response.content == b"success"
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID


def test_replayed_notify_changes_nothing_the_second_time(api_client, order, alipay, alipay_key):
    params = notify_params(order, alipay_key)
    assert post_notify(api_client, params).content == b"success"
    order.refresh_from_db()
    first_pay_time = order.pay_time

    for _ in range(3):
        response = post_notify(api_client, params)
        assert response.status_code == 200 and response.content == b"success"

    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID and order.pay_time == first_pay_time
    assert Payment.objects.count() == 1
    assert UserCourse.objects.filter(user=order.user).count() == 1


def test_bad_signature_is_refused(api_client, order, alipay, alipay_key):
    params = notify_params(order, alipay_key)
    params["buyer_id"] = "2088999999999999"  # tampered after signing

    response = post_notify(api_client, params)

    assert response.status_code == 400 and response.content == b"fail"
    assert_unchanged(order)


def test_notify_signed_by_another_key_is_refused(api_client, order, alipay):
    response = post_notify(api_client, notify_params(order, KeyPair()))

    assert response.status_code == 400 and response.content == b"fail"
    assert_unchanged(order)


def test_unsigned_notify_is_refused(api_client, order, alipay, alipay_key):
    params = notify_params(order, alipay_key)
    del params["sign"]

    assert post_notify(api_client, params).status_code == 400
    assert_unchanged(order)


def test_wrong_app_id_is_refused(api_client, order, alipay, alipay_key):
    response = post_notify(api_client, notify_params(order, alipay_key, app_id="2021000000009999"))

    assert response.status_code == 400 and response.content == b"fail"
    assert_unchanged(order)


@pytest.mark.parametrize("amount", ["0.01", "357.99", "358.001", "abc", ""])
def test_wrong_amount_is_refused(api_client, order, alipay, alipay_key, amount):
    response = post_notify(api_client, notify_params(order, alipay_key, total_amount=amount))

    assert response.status_code == 400 and response.content == b"fail"
    assert_unchanged(order)


def test_amount_written_without_cents_is_the_same_amount(api_client, order, alipay, alipay_key):
    response = post_notify(api_client, notify_params(order, alipay_key, total_amount="358"))

    assert response.content == b"success"


def test_unknown_order_is_refused(api_client, order, alipay, alipay_key):
    response = post_notify(api_client, notify_params(order, alipay_key, out_trade_no="202611260000000199999999"))

    assert response.status_code == 400 and response.content == b"fail"
    assert_unchanged(order)


@pytest.mark.parametrize("trade_status", ["WAIT_BUYER_PAY", "TRADE_CLOSED"])
def test_other_trade_statuses_are_acknowledged_without_change(api_client, order, alipay, alipay_key, trade_status):
    response = post_notify(api_client, notify_params(order, alipay_key, trade_status=trade_status))

    assert response.status_code == 200 and response.content == b"success"
    assert_unchanged(order)


@pytest.mark.parametrize("status", [Order.Status.CANCELLED, Order.Status.TIMEOUT])
def test_payment_after_the_order_closed_is_recorded_for_refund(api_client, order, alipay, alipay_key, status, caplog):
    Order.objects.filter(pk=order.pk).update(order_status=status)
    params = notify_params(order, alipay_key)

    with caplog.at_level(logging.WARNING, logger="fsapi.payments"):
        response = post_notify(api_client, params)
        replay = post_notify(api_client, params)

    assert response.status_code == 200 and response.content == b"success"
    assert replay.content == b"success"
    order.refresh_from_db()
    assert order.order_status == status and order.pay_time is None
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.REFUND_REQUIRED
    assert (payment.trade_no, payment.amount) == (params["trade_no"], Decimal("358.00"))
    assert not UserCourse.objects.filter(user=order.user).exists()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "REFUND REQUIRED" in r.getMessage()]
    assert len(warnings) == 1 and order.order_number in warnings[0].getMessage()


def test_second_trade_for_a_paid_order_is_recorded_for_refund(api_client, order, alipay, alipay_key):
    post_notify(api_client, notify_params(order, alipay_key, trade_no="T1"))

    response = post_notify(api_client, notify_params(order, alipay_key, trade_no="T2"))

    assert response.content == b"success"
    order.refresh_from_db()
    assert order.trade_no == "T1"
    assert dict(Payment.objects.values_list("trade_no", "status")) == {
        "T1": Payment.Status.PAID,
        "T2": Payment.Status.REFUND_REQUIRED,
    }


def test_json_body_is_refused_not_a_500(api_client, order, alipay, alipay_key):
    response = api_client.post(NOTIFY, notify_params(order, alipay_key), format="json")

    assert response.status_code == 400 and response.content == b"fail"
    assert_unchanged(order)


def test_empty_notify_is_refused(api_client, alipay):
    response = api_client.post(NOTIFY, {})

    assert response.status_code == 400 and response.content == b"fail"


def test_notify_ignores_a_stale_authorization_header(api_client, order, alipay, alipay_key):
    api_client.credentials(HTTP_AUTHORIZATION="jwt expired.token.here")

    assert post_notify(api_client, notify_params(order, alipay_key)).content == b"success"


def test_notify_signed_over_the_exact_values_alipay_sent(api_client, order, alipay, alipay_key):
    """Values with spaces, '+', '&' and Chinese are signed decoded; form encoding must not change them."""
    params = notify_params(order, alipay_key, subject="Python 入门 & 进阶+实战=100%", body="a b")

    assert post_notify(api_client, params).content == b"success"


def test_sign_type_other_than_rsa2_is_refused(api_client, order, alipay, alipay_key):
    params = {**sign_notify({**notify_params(order, alipay_key)}, alipay_key), "sign_type": "RSA"}

    assert post_notify(api_client, params).status_code == 400
    assert_unchanged(order)


def test_notify_needs_no_csrf_token(order, alipay, alipay_key):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(NOTIFY, notify_params(order, alipay_key))

    assert response.content == b"success"


def test_database_trouble_answers_fail_so_alipay_retries_never_a_500(
    api_client, order, alipay, alipay_key, monkeypatch
):
    from django.db import OperationalError

    def database_down(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("apps.payments.services.pay_order", database_down)

    response = post_notify(api_client, notify_params(order, alipay_key))

    assert response.status_code == 503 and response.content == b"fail"
    assert_unchanged(order)


@pytest.mark.django_db(transaction=True)
def test_notify_chosen_as_deadlock_victim_is_redone_whole(api_client, order, alipay, alipay_key, monkeypatch):
    from django.db import OperationalError

    from apps.orders.services import pay_order

    attempts = []

    def deadlocked_once(**kwargs):
        attempts.append(kwargs)
        if len(attempts) == 1:
            raise OperationalError(1213, "Deadlock found when trying to get lock")
        return pay_order(**kwargs)

    monkeypatch.setattr("apps.payments.services.pay_order", deadlocked_once)

    response = post_notify(api_client, notify_params(order, alipay_key))

    assert response.content == b"success"
    assert len(attempts) == 2
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID
    assert Payment.objects.count() == 1
