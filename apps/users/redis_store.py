"""The only code that knows the users' Redis keys: the per-account login failure counters
(`throttle_login_account_{sha256 of the account}`, in the default cache: they may be lost)."""

from django.core.cache import cache

ACCOUNT_KEY = "throttle_login_account_{}"


def login_attempts_key(account_digest: str) -> str:
    return ACCOUNT_KEY.format(account_digest)


def count_login_attempt(account_digest: str, *, window: int) -> int:
    """One more attempt on the account (atomic INCR; the count lives `window` seconds from its
    first attempt); answers the attempts counted so far."""
    key = login_attempts_key(account_digest)
    cache.add(key, 0, timeout=window)
    return cache.incr(key)


def login_attempts_ttl(account_digest: str) -> int | None:
    """Seconds until the account's count is forgotten."""
    return cache.ttl(login_attempts_key(account_digest))


def forget_login_attempts(account_digest: str) -> None:
    cache.delete(login_attempts_key(account_digest))
