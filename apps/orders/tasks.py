import logging

from celery import shared_task

logger = logging.getLogger("fsapi.orders")


# no result stored (ignore_result): nobody waits for one, and on the Redis result backend a task
# that keeps its result costs its publisher a SUBSCRIBE and an UNSUBSCRIBE on every order (about
# half of the countdown publish's CPU, bench/RESULTS.md)
@shared_task(name="order_timeout", ignore_result=True)
def order_timeout(order_id: int) -> int:
    """Scheduled at creation with countdown=ORDER_TIMEOUT: time the order out if still unpaid."""
    from apps.orders.services import expire_orders

    moved = expire_orders(order_ids=[order_id])
    if not moved:
        logger.info("order_timeout(%s): nothing to do (paid, cancelled, already timed out or missing)", order_id)
    return moved


@shared_task(name="expire_overdue_orders", ignore_result=True)
def expire_overdue_orders() -> int:
    """Beat, every ORDER_SWEEP_INTERVAL: time out overdue unpaid orders whose countdown was lost."""
    from apps.orders.services import expire_overdue_orders as sweep

    return sweep()
