"""Redis (the broker) is killed with SIGKILL under a worker that holds the countdowns of several
unpaid orders, and started again, empty: the worker survives (kombu 5.7 used to kill it with
`AttributeError: 'NoneType' object has no attribute 'hostname'` while restoring the
unacknowledged countdowns — see fsapi/broker.py), reconnects, and its beat sweep times every order
out exactly once, without anybody restarting anything."""

import pytest
import redis
from django.conf import settings

from apps.orders.models import Order
from apps.orders.tasks import order_timeout
from apps.orders.tests.factories import make_overdue
from fsapi.celery import app
from tests.broker import is_amqp
from tests.builders import assert_given_back_once, unpaid_order
from tests.celery_worker import celery_worker, wait_for
from tests.redis_server import RedisServer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    # the Redis transport's fault; the suite's app must be configured for a Redis broker to publish
    # to one (on RabbitMQ, celery reroutes countdowns to its delay exchange whatever the connection)
    pytest.mark.skipif(is_amqp(settings.CELERY_BROKER_URL), reason="Redis broker only"),
]

ORDERS = 4
TIMEOUT = 600  # the countdowns stay in the worker for the whole test; only the sweep can act


@pytest.fixture
def broker_server():
    """A redis-server of the test's own for the Celery broker and results only (carts and coupons
    stay on the suite's Redis, so the test can read what the worker gave back)."""
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def place_orders(broker_url: str, django_capture_on_commit_callbacks) -> list[tuple]:
    """ORDERS customers, each with an unpaid order that used 100 credit (balance now 0) and a
    coupon, their countdowns queued on `broker_url`."""
    placed = []
    for _ in range(ORDERS):
        with django_capture_on_commit_callbacks(execute=False):  # the countdown goes to our broker
            placed.append(unpaid_order(mirror=True))
    with app.connection_for_write(broker_url) as connection:
        for _, order, _ in placed:
            order_timeout.apply_async(kwargs={"order_id": order.pk}, countdown=TIMEOUT, connection=connection)
    return placed


def statuses(orders) -> list[int]:
    return list(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("order_status", flat=True))


def test_a_worker_holding_countdowns_survives_a_killed_redis_and_every_order_times_out_once(
    broker_server, django_capture_on_commit_callbacks
):
    broker_url = broker_server.url(11)
    broker = redis.Redis.from_url(broker_url)
    placed = place_orders(broker_url, django_capture_on_commit_callbacks)
    orders = [order for _, order, _ in placed]

    with celery_worker(
        beat=True,
        CELERY_BROKER_URL=broker_url,
        CELERY_RESULT_BACKEND=broker_url,
        ORDER_TIMEOUT=TIMEOUT,
        ORDER_SWEEP_INTERVAL=1,
    ) as worker:
        log = worker.log_path
        # the worker holds every countdown in memory, unacknowledged, waiting for its ETA
        wait_for(
            lambda: broker.llen("celery") == 0 and broker.hlen("unacked") == ORDERS,
            timeout=60,
            what="the worker to reserve the countdowns",
        )

        broker_server.stop()  # SIGKILL: Redis and everything in it is gone
        wait_for(lambda: "Connection to broker lost" in log.read_text(), timeout=60, what="the worker to notice")
        broker_server.start()  # back on the same port, empty

        wait_for(
            lambda: worker.poll() is not None or log.read_text().count("Connected to") >= 2,
            timeout=120,
            what="the worker to reconnect or die",
        )
        assert worker.poll() is None, "the worker died on the Redis outage"
        assert "Unrecoverable error" not in log.read_text()
        assert statuses(orders) == [Order.Status.UNPAID] * ORDERS  # nothing happened behind our back

        # the countdowns died with Redis; once the orders are overdue, beat's sweep (running in the
        # surviving worker) must time them out with nobody's help
        make_overdue(*orders, seconds=TIMEOUT + 60)
        wait_for(
            lambda: statuses(orders) == [Order.Status.TIMEOUT] * ORDERS,
            timeout=120,
            what="the sweep to time the orders out",
        )
        assert worker.poll() is None

    assert_given_back_once(placed)
