"""The Alipay notify's outcomes, orders paid and payments needing a refund are counted."""

import pytest

from apps.orders.models import Order
from apps.payments.tests.fake_alipay import notify_params
from tests.metrics_helpers import Delta

pytestmark = pytest.mark.django_db

NOTIFY = "/payments/alipay/notify/"


def notifies(outcome: str) -> Delta:
    return Delta("fsapi_alipay_notifies_total", outcome=outcome)


def test_notify_outcomes_and_orders_paid_are_counted(
    api_client, order, alipay, alipay_key, django_capture_on_commit_callbacks
):
    params = notify_params(order, alipay_key)
    paid, replayed, refused = notifies("paid"), notifies("already_paid"), notifies("refused")
    with paid, replayed, Delta("fsapi_orders_paid_total") as orders_paid:
        with django_capture_on_commit_callbacks(execute=True):
            assert api_client.post(NOTIFY, params).content == b"success"
            assert api_client.post(NOTIFY, params).content == b"success"
    assert (paid.value, replayed.value, orders_paid.value) == (1, 1, 1)

    with refused:
        assert api_client.post(NOTIFY, {**params, "sign": "forged"}).status_code == 400
        assert api_client.post(NOTIFY, "not a form", content_type="application/json").status_code == 400
    assert refused.value == 2


def test_a_payment_for_a_closed_order_counts_as_needing_a_refund(
    api_client, order, alipay, alipay_key, django_capture_on_commit_callbacks
):
    Order.objects.filter(pk=order.pk).update(order_status=Order.Status.CANCELLED)
    with notifies("closed") as closed, Delta("fsapi_payments_refund_required_total") as refunds:
        with django_capture_on_commit_callbacks(execute=True):
            assert api_client.post(NOTIFY, notify_params(order, alipay_key)).content == b"success"
    assert (closed.value, refunds.value) == (1, 1)
