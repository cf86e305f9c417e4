"""What the database and Redis hold, as plain values, to assert that a call changed nothing."""

import redis
from django.conf import settings
from django_redis import get_redis_connection

from apps.coupon.models import CouponLog
from apps.orders.models import Order
from apps.payments.models import Payment
from apps.users.models import Credit, User, UserCourse


def database_state() -> dict:
    return {
        "orders": list(
            Order.objects.order_by("pk").values_list("pk", "order_status", "is_deleted", "pay_time", "updated_time")
        ),
        "credits": list(User.objects.order_by("pk").values_list("pk", "credit")),
        "credit_log": Credit.objects.count(),
        "coupon_logs": list(CouponLog.objects.order_by("pk").values_list("pk", "order_id", "use_status")),
        "payments": list(Payment.objects.order_by("pk").values_list("pk", "status")),
        "owned": list(UserCourse.objects.order_by("pk").values_list("pk", "user_id", "course_id")),
    }


def _read(connection, key):
    kind = connection.type(key).decode()
    if kind == "hash":
        return kind, connection.hgetall(key)
    if kind == "set":
        return kind, sorted(connection.smembers(key))
    if kind == "list":
        return kind, connection.lrange(key, 0, -1)
    if kind == "zset":
        return kind, connection.zrange(key, 0, -1, withscores=True)
    return kind, connection.get(key)


def redis_state(aliases=("cart", "coupon")) -> dict:
    """Every key of the cart and coupon databases with its value, and the broker's queue."""
    state = {}
    for alias in aliases:
        connection = get_redis_connection(alias)
        for key in connection.scan_iter(count=1000):
            state[(alias, key)] = _read(connection, key)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    state["broker"] = broker.lrange("celery", 0, -1)
    return state
