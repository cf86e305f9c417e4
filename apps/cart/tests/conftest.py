import pytest
from django_redis import get_redis_connection

from apps.cart.redis_store import cart_key


@pytest.fixture
def redis_cart():
    """The user's cart hash exactly as Redis holds it: {b"<course id>": b"1" | b"0"}."""

    def read(user) -> dict[bytes, bytes]:
        return get_redis_connection("cart").hgetall(cart_key(user.id))

    return read
