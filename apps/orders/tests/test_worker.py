"""The time-out with a real Celery worker process: the countdown task fires, and when it is lost
the beat sweep still times the order out. Both give credit and coupon back."""

import pytest

from apps.orders.models import Order
from tests import broker
from tests.builders import assert_given_back_once, unpaid_order
from tests.celery_worker import celery_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

TIMEOUT = 2


@pytest.fixture
def short_timeout(settings):
    settings.ORDER_TIMEOUT = TIMEOUT


def assert_timed_out_and_given_back(placed):
    assert status_of(placed.order) == Order.Status.TIMEOUT
    assert_given_back_once([placed])


def status_of(order):
    return Order.objects.values_list("order_status", flat=True).get(pk=order.pk)


def test_worker_times_out_the_order_when_its_countdown_fires(short_timeout):
    placed = unpaid_order()
    assert broker.pending_tasks() == 1  # scheduled after commit (on either broker)

    with celery_worker(ORDER_TIMEOUT=TIMEOUT, ORDER_SWEEP_INTERVAL=3600):
        wait_for(lambda: status_of(placed.order) == Order.Status.TIMEOUT, timeout=30, what="the countdown time-out")

    assert_timed_out_and_given_back(placed)


def test_beat_sweep_times_out_the_order_when_its_countdown_was_lost(short_timeout):
    placed = unpaid_order()
    broker.purge()  # the countdown task is lost
    assert broker.pending_tasks() == 0

    with celery_worker(beat=True, ORDER_TIMEOUT=TIMEOUT, ORDER_SWEEP_INTERVAL=1):
        wait_for(lambda: status_of(placed.order) == Order.Status.TIMEOUT, timeout=45, what="the beat sweep")

    assert_timed_out_and_given_back(placed)
