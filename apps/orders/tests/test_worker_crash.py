"""A worker killed (SIGKILL) while it holds the countdowns of unpaid orders: a new worker with
beat times every overdue order out within two sweep periods, and the countdowns Redis re-delivers
after the visibility timeout (acks_late: the dead worker never acknowledged them) run again
harmlessly. Each order gives back its credit and coupon exactly once."""

import json
import re

import pytest
import redis
from django.conf import settings
from kombu import Connection

from apps.orders.models import Order
from apps.orders.tests.factories import make_overdue
from tests.broker import is_amqp
from tests.builders import assert_given_back_once, unpaid_order
from tests.celery_worker import celery_worker, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    # the Redis transport's own re-delivery; on RabbitMQ see test_worker_crash_rabbitmq.py
    pytest.mark.skipif(is_amqp(settings.CELERY_BROKER_URL), reason="Redis broker only"),
]

ORDERS = 3
SWEEP_INTERVAL = 1  # seconds between beat sweeps of the new worker
COUNTDOWN = 8  # seconds: the doomed worker is up before the orders are placed and reserves at once


def broker():
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def reserved_countdown_ids() -> list[str]:
    """The task ids a worker holds unacknowledged (the Redis transport's `unacked` hash holds
    [message, exchange, routing key] by delivery tag)."""
    return [json.loads(raw)[0]["headers"]["id"] for raw in broker().hvals("unacked")]


def unpaid_orders(django_capture_on_commit_callbacks) -> list[tuple]:
    """ORDERS customers, each with an unpaid order that used 100 credit (balance now 0) and a
    coupon; their countdowns are on the broker."""
    placed = []
    for _ in range(ORDERS):
        with django_capture_on_commit_callbacks(execute=True):
            placed.append(unpaid_order(mirror=True))
    return placed


def redeliver_unacknowledged() -> None:
    """What the Redis transport does once a message has been unacknowledged for longer than the
    visibility timeout (2 h in production): put it back on its queue, by kombu's own code."""
    with Connection(settings.CELERY_BROKER_URL, transport_options={"visibility_timeout": 0}) as connection:
        connection.default_channel.qos.restore_visible(num=1000, interval=1)


def statuses(orders) -> list[int]:
    return list(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("order_status", flat=True))


def task_lines(log_path, task: str, event: str) -> list[str]:
    """The ids of `task` the worker logged as `event` ("received" or "succeeded")."""
    pattern = re.compile(rf"Task {task}\[([0-9a-f-]+)\] {event}")
    return pattern.findall(log_path.read_text())


def test_after_a_killed_worker_the_next_one_times_every_overdue_order_out_exactly_once(
    settings, django_capture_on_commit_callbacks
):
    # countdowns due in COUNTDOWN seconds: time enough for the running worker to take them before
    # it is killed, and not so long that the re-delivered ones keep the test waiting
    settings.ORDER_TIMEOUT = COUNTDOWN
    with celery_worker(ORDER_SWEEP_INTERVAL=3600) as doomed:
        placed = unpaid_orders(django_capture_on_commit_callbacks)
        orders = [order for _, order, _ in placed]
        # the worker holds the countdowns in memory, unacknowledged, waiting for their ETA
        wait_for(
            lambda: broker().llen("celery") == 0 and broker().hlen("unacked") == ORDERS,
            timeout=30,
            what="the worker to reserve the countdowns",
        )
        countdowns = reserved_countdown_ids()
        assert len(countdowns) == ORDERS
        doomed.kill()  # SIGKILL: no warm shutdown, nothing acknowledged or given back
        doomed.wait()
    assert broker().hlen("unacked") == ORDERS  # still owed to the queue
    assert statuses(orders) == [Order.Status.UNPAID] * ORDERS

    make_overdue(*orders, seconds=60)  # long past the new worker's ORDER_TIMEOUT
    with celery_worker(beat=True, ORDER_TIMEOUT=2, ORDER_SWEEP_INTERVAL=SWEEP_INTERVAL) as successor:
        sweeps_when_done = []

        def all_timed_out():
            if statuses(orders) != [Order.Status.TIMEOUT] * ORDERS:
                return False
            sweeps_when_done.append(len(task_lines(successor.log_path, "expire_overdue_orders", "received")))
            return True

        wait_for(all_timed_out, timeout=60, what="the orders to time out", interval=0.1)
        assert sweeps_when_done[0] <= 2, "not within two sweep periods"

        # the dead worker's countdowns come back after the visibility timeout and run again at
        # their ETA (COUNTDOWN seconds after the orders were placed)
        redeliver_unacknowledged()
        wait_for(
            lambda: set(countdowns) <= set(task_lines(successor.log_path, "order_timeout", "succeeded")),
            timeout=COUNTDOWN + 30,
            what="the re-delivered countdowns to run",
        )
        wait_for(lambda: broker().hlen("unacked") == 0, timeout=30, what="the countdowns to be acknowledged")
        results = dict(
            re.findall(
                r"Task order_timeout\[([0-9a-f-]+)\] succeeded in [0-9.e-]+s: (\d+)", successor.log_path.read_text()
            )
        )
        assert {results[task_id] for task_id in countdowns} == {"0"}  # nothing left to time out

    assert_given_back_once(placed)
