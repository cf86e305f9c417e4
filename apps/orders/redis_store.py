"""The only code that knows the orders' Redis keys.

- The shop-wide order counter `order_number`. It is real data (a counter reset would repeat
  numbers; the insert then takes the next one, see `services.create_order`), so it lives on the
  Redis that must persist: the carts' (REDIS_CART_URL, README "Redis per purpose"), under the key
  name it always had.
- "My orders"' count per user, in the cache Redis (it may be lost): `cache:order_listing_token_{user}`,
  a random token every change of the user's visible orders replaces, and
  `cache:order_listing_count_{user}`, "token:count" as counted under that token. A count kept under
  an older token is never used, so a count read while an order was being created (and stored
  after the creator replaced the token) cannot outlive it.
"""

from uuid import uuid4

from django_redis import get_redis_connection

ORDER_COUNTER_KEY = "order_number"
LISTING_TOKEN_KEY = "cache:order_listing_token_{}"  # the cache Redis's purpose prefix
LISTING_COUNT_KEY = "cache:order_listing_count_{}"
LISTING_COUNT_SECONDS = 600


def next_order_counter() -> int:
    """The next value of the shop-wide order counter (the input of an order number's 16 digits)."""
    return get_redis_connection("cart").incr(ORDER_COUNTER_KEY)


def listing_count(user_id: int) -> tuple[str, int | None]:
    """(the user's listing token, the count kept under it or None), in one round trip; a missing
    token is created."""
    redis = get_redis_connection("default")
    token, kept = redis.mget(LISTING_TOKEN_KEY.format(user_id), LISTING_COUNT_KEY.format(user_id))
    if token is None:
        redis.set(LISTING_TOKEN_KEY.format(user_id), uuid4().hex, nx=True)
        return (redis.get(LISTING_TOKEN_KEY.format(user_id)) or b"").decode(), None
    token = token.decode()
    kept_token, _, count = (kept or b"").decode().partition(":")
    return token, int(count) if kept_token == token and count.isdigit() else None


def keep_listing_count(user_id: int, token: str, count: int) -> None:
    if token:
        get_redis_connection("default").set(
            LISTING_COUNT_KEY.format(user_id), f"{token}:{count}", ex=LISTING_COUNT_SECONDS
        )


def new_listing_tokens(user_ids) -> None:
    """The users' visible orders changed: their kept counts are never used again."""
    pipe = get_redis_connection("default").pipeline(transaction=False)
    for user_id in set(user_ids):
        pipe.set(LISTING_TOKEN_KEY.format(user_id), uuid4().hex)
    pipe.execute()
