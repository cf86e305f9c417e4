"""What a login hands the client: the JWT pair (its access payload carries the profile the header
shows) and, beside it, the same profile plus the cart size."""

from rest_framework_simplejwt.tokens import RefreshToken

from apps.users.hooks import cart_size
from apps.users.models import User


def token_pair(user: User) -> tuple[str, str]:
    """Claims go on the refresh token: simplejwt copies them into every access token derived
    from it, so a refreshed access token still carries the avatar the header shows."""
    refresh = RefreshToken.for_user(user)
    refresh["username"] = user.username
    refresh["nickname"] = user.nickname
    refresh["avatar"] = user.avatar_url
    refresh["credit"] = user.credit
    return str(refresh.access_token), str(refresh)


def login_payload(user: User) -> dict:
    access, refresh = token_pair(user)
    return {
        "token": access,
        "refresh": refresh,
        "cart_total": cart_size(user_id=user.id),
        "user_id": user.id,
        "username": user.username,
        "nickname": user.nickname,
        "avatar": user.avatar_url,
        "credit": user.credit,
        "mobile": user.mobile,
    }
