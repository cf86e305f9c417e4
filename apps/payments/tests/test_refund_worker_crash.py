"""A real Celery worker SIGKILLed in the middle of an automatic refund — after the local sandbox
(standing in for Alipay) paid the money back, before anything was recorded — and the next worker's
beat sweep finishing it exactly once: it asks the refund query first, finds the refund made under the
same out_request_no, and records it without sending the money a second time."""

import pytest

from apps.orders.services import cancel_order
from apps.payments.channel import get_gateway
from apps.payments.models import Payment, Refund
from apps.payments.sandbox import SANDBOX_APP_ID
from apps.payments.services import handle_notify
from apps.payments.tests.fake_alipay import notify_params
from apps.payments.tests.refund_helpers import unpaid_order
from tests.celery_worker import celery_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_worker_killed_after_the_gateway_call_is_finished_once_by_the_next_one(
    sandbox_settings, sandbox_dir, alipay_key, tmp_path
):
    sandbox = get_gateway()
    _, order, _ = unpaid_order()
    cancel_order(order_id=order.pk)
    late = notify_params(order, alipay_key, app_id=SANDBOX_APP_ID, auth_app_id=SANDBOX_APP_ID)
    env = {"ALIPAY_APP_ID": "", "ALIPAY_SANDBOX": "1", "ALIPAY_SANDBOX_DIR": sandbox_dir, "ORDER_SWEEP_INTERVAL": 3600}
    marker = tmp_path / "gateway-called"

    with celery_worker(REFUND_TEST_PAUSE_FILE=marker, REFUND_SWEEP_INTERVAL=3600, **env) as doomed:
        # the notify records the late payment and, after commit, enqueues its refund
        assert handle_notify(sandbox.sign_as_alipay(late)) == "closed"
        payment = Payment.objects.get(order=order)
        wait_for(marker.exists, timeout=60, what="the worker to call the gateway")
        doomed.kill()  # SIGKILL: the refund is made at "Alipay", nothing recorded here
        doomed.wait()

    refund = Refund.objects.get(payment=payment)
    payment.refresh_from_db()
    assert (refund.status, refund.attempts, payment.status) == (
        Refund.Status.REFUNDING,
        1,
        Payment.Status.REFUND_REQUIRED,
    )
    assert sandbox.refunds_of(payment.trade_no) == payment.amount  # the money went back once

    with celery_worker(beat=True, REFUND_TEST_PAUSE_FILE="", REFUND_SWEEP_INTERVAL=1, REFUND_STALE_AFTER=0, **env):
        wait_for(
            lambda: Refund.objects.get(pk=refund.pk).status == Refund.Status.REFUNDED,
            timeout=90,
            what="the sweep to finish the refund",
        )

    refund.refresh_from_db()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert refund.answer["refund_status"] == "REFUND_SUCCESS"  # finished from the refund query
    assert sandbox.refunds_of(payment.trade_no) == payment.amount  # never twice
    assert Refund.objects.count() == 1
