"""The only code that knows the payments' Redis keys, all in the default cache (they may be lost):

- `alipay:link-issued:{order_number}`: a pay link went out for the order, so Alipay may hold a
  trade to close when the order leaves "unpaid" (kept ORDER_TIMEOUT + 1 h);
- the local sandbox's memory of Alipay's side (apps/payments/sandbox.py): trades closed, refunds
  made by out_request_no, cents refunded per trade, and the "Alipay unreachable" switch.

Redis errors propagate: the callers decide (the sandbox answers as an unreachable Alipay would).
"""

from django.core.cache import cache

LINK_ISSUED_KEY = "alipay:link-issued:{}"
SANDBOX_CLOSED_KEY = "payments:sandbox:closed:{}"
SANDBOX_CLOSED_TTL = 7 * 24 * 3600
SANDBOX_REFUND_KEY = "payments:sandbox:refund:{}"  # out_request_no → the answer Alipay gave
SANDBOX_REFUNDED_CENTS_KEY = "payments:sandbox:refunded-cents:{}"  # trade_no → refunded so far, in cents
SANDBOX_UNREACHABLE_KEY = "payments:sandbox:unreachable"
SANDBOX_REFUND_TTL = 400 * 24 * 3600


# --- pay links ------------------------------------------------------------------------------


def remember_link_issued(order_number: str, *, timeout: int) -> None:
    cache.set(LINK_ISSUED_KEY.format(order_number), 1, timeout=timeout)


def links_issued(order_numbers) -> set[str]:
    """Those of `order_numbers` a pay link went out for (as far as Redis remembers)."""
    order_numbers = list(order_numbers)
    issued = cache.get_many([LINK_ISSUED_KEY.format(number) for number in order_numbers])
    return {number for number in order_numbers if LINK_ISSUED_KEY.format(number) in issued}


# --- the sandbox's side of Alipay -----------------------------------------------------------


def sandbox_close_trade(out_trade_no: str) -> None:
    cache.set(SANDBOX_CLOSED_KEY.format(out_trade_no), 1, timeout=SANDBOX_CLOSED_TTL)


def sandbox_trade_closed(out_trade_no: str) -> bool:
    return bool(cache.get(SANDBOX_CLOSED_KEY.format(out_trade_no)))


def sandbox_set_unreachable(unreachable: bool) -> None:
    if unreachable:
        cache.set(SANDBOX_UNREACHABLE_KEY, 1, timeout=None)
    else:
        cache.delete(SANDBOX_UNREACHABLE_KEY)


def sandbox_unreachable() -> bool:
    return bool(cache.get(SANDBOX_UNREACHABLE_KEY))


def sandbox_refund(out_request_no: str) -> dict | None:
    """The answer Alipay gave to the refund `out_request_no`, or None when it was never made."""
    return cache.get(SANDBOX_REFUND_KEY.format(out_request_no))


def sandbox_keep_refund(out_request_no: str, answer: dict) -> bool:
    """Remember the refund's answer unless one is remembered already (False: a concurrent repeat won)."""
    return cache.add(SANDBOX_REFUND_KEY.format(out_request_no), answer, timeout=SANDBOX_REFUND_TTL)


def sandbox_refunded_cents(trade_no: str) -> int:
    return int(cache.get(SANDBOX_REFUNDED_CENTS_KEY.format(trade_no)) or 0)


def sandbox_add_refunded_cents(trade_no: str, cents: int) -> int:
    """Add `cents` (negative: take them back) to what the trade has refunded; answers the new total."""
    key = SANDBOX_REFUNDED_CENTS_KEY.format(trade_no)
    if cents < 0:
        return cache.decr(key, -cents)
    cache.add(key, 0, timeout=SANDBOX_REFUND_TTL)
    return cache.incr(key, cents)
