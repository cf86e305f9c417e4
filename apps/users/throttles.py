"""Login throttles. Per client IP: DRF's ScopedRateThrottle, scope "login" (LOGIN_THROTTLE_RATE,
every attempt). Per account: `LoginAccountThrottle` (LOGIN_FAILURE_LIMIT failed attempts within
LOGIN_LOCKOUT_SECONDS, from whatever addresses), so that guessing one account's password from
many IPs is stopped too, while one IP's failures cost other accounts nothing beyond the IP rate.
The admin's login is guarded by django-axes with the same limits (apps/users/admin_login.py)."""

import hashlib

from django.conf import settings
from rest_framework.throttling import BaseThrottle, UserRateThrottle

from apps.users import redis_store
from apps.users.exceptions import LoginLocked
from apps.users.selectors import user_by_login_name


def client_ip(request) -> str:
    """The client's address as DRF's throttles read it: REMOTE_ADDR, or with NUM_PROXIES = n the
    n-th address from the right of X-Forwarded-For (what the nearest proxy saw). django-axes reads
    it here too (AXES_CLIENT_IP_CALLABLE), so both count the same client."""
    return BaseThrottle().get_ident(request)


def login_account(name: str) -> str:
    """What a login name's failures are counted under: the account's username when one matches
    (its mobile and e-mail count with it), else the name itself — unknown names are throttled
    like real ones, so a 429 does not tell that an account exists."""
    user = user_by_login_name(name)
    return user.username if user is not None else name.strip().lower()


class LoginAccountThrottle(BaseThrottle):
    """Each attempt on an account takes a slot before its password is checked (atomic INCR, so
    parallel guesses cannot slip past the limit); a successful login gives them all back
    (`forget`). Past the limit the account answers 429 — the right password included — until
    LOGIN_LOCKOUT_SECONDS after its first failure."""

    def allow_request(self, request, view) -> bool:
        name = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(name, str) or not name.strip():
            return True  # the serializer answers 400
        account = self.account_digest(name)
        attempts = redis_store.count_login_attempt(account, window=settings.LOGIN_LOCKOUT_SECONDS)
        if attempts > settings.LOGIN_FAILURE_LIMIT:
            ttl = redis_store.login_attempts_ttl(account)
            raise LoginLocked(wait=ttl if ttl and ttl > 0 else settings.LOGIN_LOCKOUT_SECONDS)
        return True

    @staticmethod
    def account_digest(name: str) -> str:
        return hashlib.sha256(login_account(name).encode()).hexdigest()

    @classmethod
    def forget(cls, name: str) -> None:
        redis_store.forget_login_attempts(cls.account_digest(name))


class AvatarUploadThrottle(UserRateThrottle):
    """Avatar uploads per user (UPLOAD_THROTTLE_RATE): every upload stores a file of up to 2 MB.
    Profile edits without a file are not counted."""

    scope = "upload"

    def get_rate(self):
        return settings.UPLOAD_THROTTLE_RATE

    def allow_request(self, request, view) -> bool:
        if request.method in ("GET", "HEAD") or "avatar" not in request.FILES:
            return True
        return super().allow_request(request, view)
