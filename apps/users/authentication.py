"""simplejwt's authentication with the user read by one precompiled statement (every private
request reads it: apps/users/selectors.user_by_id), refusing a missing, disabled or revoked
account at once as simplejwt does, and each token's signature checked once per process: a token
this process verified is known by its exact text until it expires. A token whose user id is no
id at all (a non-number, a number past 64 bits: only a token signed with our key can carry one)
is a 401, not a 500."""

import threading
import time

from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from apps.users.selectors import user_by_id


class VerifiedTokens:
    """Access tokens this process verified (signature, type, expiry), by their exact bytes, until
    their `exp`: the same text is the same signed token, so it needs no second check. Bounded:
    emptied when full. Nothing else revokes an access token before its expiry here (no blacklist
    of access tokens; a disabled account is refused by the user read on every request)."""

    MAX_TOKENS = 10_000

    def __init__(self):
        self._tokens: dict[bytes, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, raw_token: bytes):
        """The verified token, while it has not expired (by simplejwt's rule, leeway included)."""
        entry = self._tokens.get(raw_token)
        if entry is not None and entry[0] > time.time():
            return entry[1]
        return None

    def put(self, raw_token: bytes, token) -> None:
        expires = token.get("exp")
        if not isinstance(expires, int | float):
            return
        expires += token.get_token_backend().get_leeway().total_seconds()  # valid while exp > now - leeway
        with self._lock:
            if len(self._tokens) >= self.MAX_TOKENS:
                self._tokens.clear()
            self._tokens[raw_token] = (expires, token)


VERIFIED = VerifiedTokens()


class JWTAuthentication(authentication.JWTAuthentication):
    def get_validated_token(self, raw_token):
        token = VERIFIED.get(raw_token)
        if token is None:
            token = super().get_validated_token(raw_token)
            VERIFIED.put(raw_token, token)
        return token

    def get_user(self, validated_token):
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        try:
            user = user_by_id(int(user_id) if isinstance(user_id, str) else user_id)
        except (ValueError, TypeError, OverflowError) as exc:
            raise InvalidToken("令牌无效") from exc
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user
