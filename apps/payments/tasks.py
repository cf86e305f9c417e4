import logging

from celery import shared_task

logger = logging.getLogger("fsapi.payments")

CLOSE_MAX_RETRIES = 6


def close_retry_countdown(retries: int) -> int:
    """30 s, 1 min, 2 min, … capped at 30 min: about an hour in all, past any order's time-out."""
    return min(30 * 2**retries, 1800)


@shared_task(bind=True, max_retries=CLOSE_MAX_RETRIES, ignore_result=True)
def close_alipay_trade(self, order_number: str) -> None:
    """Close the Alipay trade of an order that left "unpaid"; Alipay unreachable → retry with backoff,
    then give up with an error log (the trade still expires at Alipay at the order's time-out)."""
    from apps.payments.gateway import GatewayUnavailable
    from apps.payments.services import close_trade

    try:
        close_trade(order_number)
    except GatewayUnavailable as exc:
        if self.request.retries >= self.max_retries:
            logger.error(
                "gave up closing Alipay trade %s after %s tries: %s", order_number, self.request.retries + 1, exc
            )
            return
        raise self.retry(exc=exc, countdown=close_retry_countdown(self.request.retries)) from exc


# --- refunds (apps/payments/refunds.py) ------------------------------------------------------

REFUND_MAX_RETRIES = 12


def refund_retry_countdown(retries: int) -> int:
    """30 s, 1 min, 2 min, … capped at REFUND_RETRY_MAX_DELAY (30 min): about 4 hours of retries in
    all; after that the beat sweep keeps re-sending every refund left 退款中."""
    from django.conf import settings

    return int(min(30 * 2**retries, settings.REFUND_RETRY_MAX_DELAY))


@shared_task(bind=True, max_retries=REFUND_MAX_RETRIES, ignore_result=True)
def execute_refund_task(self, refund_id: int) -> None:
    """Send a 退款中 refund to Alipay (or the balance) and finish it; Alipay unreachable → retry with
    backoff under the same out_request_no (Alipay refunds it once however often it is sent)."""
    from apps.payments.gateway import GatewayUnavailable
    from apps.payments.refunds import execute_refund

    try:
        execute_refund(refund_id=refund_id)
    except GatewayUnavailable as exc:
        if self.request.retries >= self.max_retries:
            logger.error("refund %s still not sent after %s tries: %s", refund_id, self.request.retries + 1, exc)
            return
        raise self.retry(exc=exc, countdown=refund_retry_countdown(self.request.retries)) from exc


@shared_task(bind=True, max_retries=REFUND_MAX_RETRIES, ignore_result=True)
def refund_payment_task(self, payment_id: int) -> None:
    """Refund a REFUND_REQUIRED payment (a late or second payment) through alipay.trade.refund;
    enqueued by the notify that recorded it (after commit) and by the sweep."""
    from apps.payments.gateway import GatewayUnavailable
    from apps.payments.refunds import refund_required_payment

    try:
        refund_required_payment(payment_id=payment_id)
    except GatewayUnavailable as exc:
        if self.request.retries >= self.max_retries:
            logger.error("payment %s still not refunded after %s tries: %s", payment_id, self.request.retries + 1, exc)
            return
        raise self.retry(exc=exc, countdown=refund_retry_countdown(self.request.retries)) from exc


@shared_task(name="sweep_refunds", ignore_result=True)
def sweep_refunds_task() -> int:
    """Beat: refund REFUND_REQUIRED payments no task took, re-send refunds left 退款中."""
    from apps.payments.refunds import sweep_refunds

    return sweep_refunds()


RECONCILE_MAX_RETRIES = 5


@shared_task(bind=True, name="reconcile_alipay", max_retries=RECONCILE_MAX_RETRIES, ignore_result=True)
def reconcile_alipay(self, day: str | None = None) -> dict:
    """Beat, daily (RECONCILE_HOUR, Asia/Shanghai): compare yesterday (or `day`, YYYY-MM-DD) with
    Alipay's trade queries; trades Alipay could not be asked about are retried with backoff, and
    recorded as unchecked mismatches on the last try."""
    from datetime import date

    from apps.payments.reconciliation import reconcile_day

    last_try = self.request.retries >= self.max_retries
    report = reconcile_day(date.fromisoformat(day) if day else None, record_unchecked=last_try)
    if report.unchecked and not last_try:
        raise self.retry(
            countdown=close_retry_countdown(self.request.retries + 2), kwargs={"day": report.day.isoformat()}
        )
    return {"day": report.day.isoformat(), "checked": report.checked, "mismatches": len(report.mismatches)}
