"""simplejwt's authentication with the user read by one precompiled statement (every private
request reads it: apps/users/selectors.user_by_id), refusing a missing, disabled or revoked
account at once as simplejwt does. A token whose user id is no id at all (a non-number, a number
past 64 bits: only a token signed with our key can carry one) is a 401, not a 500."""

from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from apps.users.selectors import user_by_id


class JWTAuthentication(authentication.JWTAuthentication):
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
