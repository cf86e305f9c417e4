"""Fixtures every test module shares: clean Redis databases, API clients, a logged-in customer."""

import pytest
import redis
from django.conf import settings
from django_redis import get_redis_connection
from rest_framework.test import APIClient

from apps.coupon.services import mirror_coupon_logs
from apps.users.tests.factories import UserFactory
from apps.users.tokens import token_pair
from tests import broker


@pytest.fixture(autouse=True)
def clean_redis():
    """Each test starts from empty test databases (cart, coupons, throttles, Celery broker and
    results) and, on a RabbitMQ broker, with no task message waiting."""
    for alias in ("default", "cart", "coupon"):
        get_redis_connection(alias).flushdb()
    redis.Redis.from_url(settings.REDIS_URLS["celery"]).flushdb()
    if broker.is_amqp():
        broker.purge()
    yield


@pytest.fixture
def api_client():
    return APIClient()


def client_for(user) -> APIClient:
    """An API client that sends the user's access token the way the Vue client does."""
    client = APIClient()
    access, _ = token_pair(user)
    client.credentials(HTTP_AUTHORIZATION=f"jwt {access}")
    client.user = user
    return client


@pytest.fixture
def user(db):
    return UserFactory(credit=1000)


@pytest.fixture
def auth_client(user):
    return client_for(user)


@pytest.fixture
def mirrored():
    """mirrored(*coupon records): write them to Redis as the admin would."""

    def mirror(*logs):
        mirror_coupon_logs([log.id for log in logs])

    return mirror
