"""The time-out with a real Celery worker process: the countdown task fires, and when it is lost
the beat sweep still times the order out. Both give credit and coupon back."""

import pytest

from apps.cart import redis_store
from apps.coupon import redis_store as coupon_store
from apps.coupon.models import CouponLog
from apps.coupon.tests.factories import CouponLogFactory
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.orders.services import create_order
from apps.users.models import Credit
from apps.users.tests.factories import UserFactory
from tests import broker
from tests.celery_worker import celery_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

TIMEOUT = 2


@pytest.fixture
def short_timeout(settings):
    settings.ORDER_TIMEOUT = TIMEOUT


def unpaid_order():
    user = UserFactory(credit=100)
    log = CouponLogFactory(user=user)
    redis_store.add_lines(user.id, [CourseFactory(credit=100).id])
    order = create_order(user=user, pay_type=0, user_coupon_id=log.id, credit=100)
    return user, log, order


def assert_timed_out_and_given_back(user, log, order):
    order.refresh_from_db()
    user.refresh_from_db()
    log.refresh_from_db()
    assert order.order_status == Order.Status.TIMEOUT
    assert user.credit == 100
    assert Credit.objects.filter(user=user, operation=Credit.Operation.REFUND).count() == 1
    assert log.order_id is None and log.use_status == CouponLog.UseStatus.UNUSED
    assert [r["user_coupon_id"] for r in coupon_store.read_all(user.id)] == [log.id]


def status_of(order):
    return Order.objects.values_list("order_status", flat=True).get(pk=order.pk)


def test_worker_times_out_the_order_when_its_countdown_fires(short_timeout):
    user, log, order = unpaid_order()
    assert broker.pending_tasks() == 1  # scheduled after commit (on either broker)

    with celery_worker(ORDER_TIMEOUT=TIMEOUT, ORDER_SWEEP_INTERVAL=3600):
        wait_for(lambda: status_of(order) == Order.Status.TIMEOUT, timeout=30, what="the countdown time-out")

    assert_timed_out_and_given_back(user, log, order)


def test_beat_sweep_times_out_the_order_when_its_countdown_was_lost(short_timeout):
    user, log, order = unpaid_order()
    broker.purge()  # the countdown task is lost
    assert broker.pending_tasks() == 0

    with celery_worker(beat=True, ORDER_TIMEOUT=TIMEOUT, ORDER_SWEEP_INTERVAL=1):
        wait_for(lambda: status_of(order) == Order.Status.TIMEOUT, timeout=45, what="the beat sweep")

    assert_timed_out_and_given_back(user, log, order)
