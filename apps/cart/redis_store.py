"""The only code that knows the Redis cart layout: one hash per user, `cart_{user_id}`,
field = course id, value b"1" (selected) or b"0" (not selected)."""

from django_redis import get_redis_connection

SELECTED = b"1"
NOT_SELECTED = b"0"


def _redis():
    return get_redis_connection("cart")


def cart_key(user_id: int) -> str:
    return f"cart_{user_id}"


def cart_total(user_id: int) -> int:
    """Number of lines in the user's cart (selected or not)."""
    return _redis().hlen(cart_key(user_id))


def cart_lines(user_id: int) -> dict[int, bool]:
    """{course_id: selected} of every line in the cart."""
    return {int(field): value == SELECTED for field, value in _redis().hgetall(cart_key(user_id)).items()}


def selected_course_ids(user_id: int) -> list[int]:
    return [course_id for course_id, selected in cart_lines(user_id).items() if selected]


def has_line(user_id: int, course_id: int) -> bool:
    return bool(_redis().hexists(cart_key(user_id), course_id))


def add_line(user_id: int, course_id: int, selected: bool = True) -> int:
    """Add (or re-select) a line; answers the number of lines afterwards."""
    pipe = _redis().pipeline()
    pipe.hset(cart_key(user_id), course_id, SELECTED if selected else NOT_SELECTED)
    pipe.hlen(cart_key(user_id))
    return pipe.execute()[1]


def add_lines(user_id: int, course_ids, selected: bool = True) -> int:
    """Add several lines at once; answers the number of lines afterwards."""
    course_ids = list(course_ids)
    pipe = _redis().pipeline()
    if course_ids:
        value = SELECTED if selected else NOT_SELECTED
        pipe.hset(cart_key(user_id), mapping={course_id: value for course_id in course_ids})
    pipe.hlen(cart_key(user_id))
    return pipe.execute()[-1]


# Lua scripts run atomically in Redis: a line removed meanwhile is never written back, and two
# concurrent adds cannot both pass the size check.
ADD_WITHIN_LIMIT = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 or redis.call('HLEN', KEYS[1]) < tonumber(ARGV[2]) then
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
    return redis.call('HLEN', KEYS[1])
end
return -1
"""
SET_ONE_IF_PRESENT = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    return 1
end
return 0
"""
SET_ALL = """
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    redis.call('HSET', KEYS[1], field, ARGV[1])
end
return 1
"""


def add_line_within_limit(user_id: int, course_id: int, limit: int) -> int | None:
    """Add (or re-select) a line unless that would make more than `limit` lines; answers the number
    of lines afterwards, or None when the cart is full (nothing written)."""
    total = _redis().eval(ADD_WITHIN_LIMIT, 1, cart_key(user_id), course_id, limit, SELECTED)
    return None if total < 0 else total


def set_selected(user_id: int, course_id: int, selected: bool) -> bool:
    """Tick or untick one existing line; False when the line is not in the cart."""
    value = SELECTED if selected else NOT_SELECTED
    return bool(_redis().eval(SET_ONE_IF_PRESENT, 1, cart_key(user_id), course_id, value))


def set_all_selected(user_id: int, selected: bool) -> None:
    _redis().eval(SET_ALL, 1, cart_key(user_id), SELECTED if selected else NOT_SELECTED)


def remove_lines(user_id: int, course_ids) -> int:
    """Remove lines; answers how many were there."""
    course_ids = list(course_ids)
    if not course_ids:
        return 0
    return _redis().hdel(cart_key(user_id), *course_ids)
