"""Order numbers (SPEC §4.5): `YYYYMMDD` (Shanghai date) + 16 digits, 24 in all, a string.

The 16 digits are the shop-wide Redis counter put through a keyed permutation of [0, 10**16): a
Feistel network on two 8-digit halves whose round function is an HMAC-SHA256 under a secret key,
tweaked by the date. A permutation keeps the counter's uniqueness (distinct counters give distinct
numbers, no table of used numbers needed); without the key, a number says nothing about its
neighbours, the user, or how many orders the shop takes. The key is ORDER_NUMBER_KEY, or derived
from SECRET_KEY when that is empty. Changing it may repeat a number issued earlier the same day:
the insert then hits the unique index and takes the next counter (see `_insert_order`).
"""

import hashlib
import hmac
from datetime import date
from functools import lru_cache

from django.conf import settings

HALF = 10**8  # the 16 digits are two halves of 8
DOMAIN = HALF * HALF
ROUNDS = 10  # Luby–Rackoff needs 4 for a pseudorandom permutation; more cost microseconds


@lru_cache(maxsize=4)
def _derived_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"fsapi order numbers", hashlib.sha256).digest()


def order_number_key() -> bytes:
    """The permutation's key: ORDER_NUMBER_KEY when set, else one derived from SECRET_KEY."""
    return _derived_key(settings.ORDER_NUMBER_KEY or settings.SECRET_KEY)


def _round(key: bytes, tweak: bytes, index: int, half: int) -> int:
    digest = hmac.new(key, tweak + bytes([index]) + half.to_bytes(4, "big"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % HALF


def permute(counter: int, *, key: bytes, tweak: bytes = b"") -> int:
    """The counter's image under the keyed permutation of [0, 10**16) (`counter` taken modulo it)."""
    left, right = divmod(counter % DOMAIN, HALF)
    for index in range(ROUNDS):
        left, right = right, (left + _round(key, tweak, index, right)) % HALF
    return left * HALF + right


def unpermute(value: int, *, key: bytes, tweak: bytes = b"") -> int:
    """The inverse of `permute` (for operators and tests: which counter gave this number)."""
    left, right = divmod(value % DOMAIN, HALF)
    for index in reversed(range(ROUNDS)):
        left, right = (right - _round(key, tweak, index, left)) % HALF, left
    return left * HALF + right


def format_order_number(day: date, counter: int, *, key: bytes | None = None) -> str:
    """The order number of the `counter`-th order on `day`: YYYYMMDD + the 16 permuted digits."""
    prefix = f"{day:%Y%m%d}"
    digits = permute(counter, key=key or order_number_key(), tweak=prefix.encode())
    return f"{prefix}{digits:016d}"
