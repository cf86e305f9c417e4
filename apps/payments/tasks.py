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
