"""The only code that knows the orders' Redis key: the shop-wide order counter `order_number`.

It is real data (a counter reset would repeat numbers; the insert then takes the next one, see
`services._insert_order`), so it lives on the Redis that must persist: the carts' (REDIS_CART_URL,
README "Redis per purpose"), under the key name it always had.
"""

from django_redis import get_redis_connection

ORDER_COUNTER_KEY = "order_number"


def next_order_counter() -> int:
    """The next value of the shop-wide order counter (the input of an order number's 16 digits)."""
    return get_redis_connection("cart").incr(ORDER_COUNTER_KEY)
