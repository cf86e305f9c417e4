"""On RabbitMQ (quorum queue, native delayed delivery) a worker SIGKILLed while order countdowns
are pending loses none and runs none twice: the countdowns wait in the broker, not in the
worker, so the dead worker held none of them, and those it had been handed (delivered, not
acknowledged: acks_late) go back to the queue when its connection dies. The next worker times
every order out exactly once, by its countdown, and each order gives its credit and coupon back
once. On a vhost of the test's own; skipped when no RabbitMQ answers."""

import re
import signal

import pytest

from apps.orders.models import Order
from tests import broker
from tests.builders import assert_given_back_once, unpaid_order
from tests.celery_worker import celery_worker, send_countdowns, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker, pytest.mark.rabbitmq]

SOON = 2  # seconds: due while the first worker is frozen, so it is handed some and dies with them
LATER = 20  # seconds: still waiting in the broker when the first worker dies (a few seconds after sending)


@pytest.fixture
def vhost():
    reason = broker.rabbitmq_answers()
    if reason:
        pytest.skip(reason)
    with broker.rabbitmq_vhost() as url:
        yield url


def unpaid_orders(count: int) -> list[tuple]:
    return [unpaid_order(mirror=True) for _ in range(count)]


def statuses(orders) -> list[int]:
    return list(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("order_status", flat=True))


def results(log_path) -> list[tuple[str, str]]:
    """(task id, return value) of every order_timeout the worker finished, in order."""
    return re.findall(r"Task order_timeout\[([0-9a-f-]+)\] succeeded in [0-9.e-]+s: (\d+)", log_path.read_text())


def handed_to_worker(url, due: int) -> bool:
    """All `due` countdowns are in the queue, and at least one of them delivered to a worker."""
    ready, unacked = broker.queue_counts(url).get("celery", (0, 0))
    return ready + unacked == due and unacked >= 1


def test_a_killed_worker_loses_no_pending_countdown_and_none_runs_twice(vhost, settings):
    settings.ORDER_TIMEOUT = 3600  # the in-process countdowns (to the suite's own broker) never matter
    soon = unpaid_orders(3)
    later = unpaid_orders(3)
    orders = [order for _, order, _ in soon + later]
    # the workers' ORDER_TIMEOUT: any order is overdue once its countdown fires
    on_rabbitmq = {"CELERY_BROKER_URL": vhost, "ORDER_TIMEOUT": 1, "ORDER_SWEEP_INTERVAL": 3600}

    with celery_worker(**on_rabbitmq) as doomed:
        doomed.send_signal(signal.SIGSTOP)  # frozen: it can neither run nor acknowledge what it gets
        sent = send_countdowns([(o.pk, SOON) for _, o, _ in soon] + [(o.pk, LATER) for _, o, _ in later], **on_rabbitmq)
        # the soon ones fall due; RabbitMQ hands the frozen worker some (its prefetch), unacknowledged
        wait_for(
            lambda: handed_to_worker(vhost, len(soon)),
            timeout=60,
            what="due countdowns to be delivered to the frozen worker",
        )
        assert broker.delayed_tasks(vhost) == len(later)  # the later ones still wait inside the broker
        doomed.kill()  # SIGKILL: nothing acknowledged, nothing handed back by the worker
        doomed.wait()
        assert results(doomed.log_path) == []
    # its connection is gone: the delivered countdowns are ready again, the later ones still wait
    wait_for(
        lambda: broker.queue_counts(vhost).get("celery") == (len(soon), 0),
        timeout=30,
        what="the delivered countdowns to go back to the queue",
    )
    assert statuses(orders) == [Order.Status.UNPAID] * len(orders)

    with celery_worker(**on_rabbitmq) as successor:
        wait_for(
            lambda: len(results(successor.log_path)) == len(orders),
            timeout=LATER + 90,
            what="every countdown to run",
        )
        wait_for(lambda: broker.pending_tasks(vhost) == 0, timeout=30, what="the broker to be empty")
        ran = results(successor.log_path)

    assert sorted(task_id for task_id, _ in ran) == sorted(sent)  # each once: none lost
    assert {value for _, value in ran} == {"1"}  # each timed its order out (nobody else did)
    assert statuses(orders) == [Order.Status.TIMEOUT] * len(orders)
    assert_given_back_once(soon + later)
