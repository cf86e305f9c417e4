"""simplejwt's authentication, but a token whose user id is no id at all (a non-number, a number
past 64 bits: only a token signed with our key can carry one) is a 401, not a 500."""

from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken


class JWTAuthentication(authentication.JWTAuthentication):
    def get_user(self, validated_token):
        try:
            return super().get_user(validated_token)
        except (ValueError, TypeError, OverflowError) as exc:
            raise InvalidToken("令牌无效") from exc
