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
