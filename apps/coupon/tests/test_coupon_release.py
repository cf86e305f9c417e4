"""A coupon record through an order's life in Redis: bound → out of the user's offered list (its
hash kept), cancelled or timed out → offered again from that hash without a rebuild, unless
something changed it meanwhile; and what order creation reads to price the coupon."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_redis import get_redis_connection

from apps.cart import redis_store as cart_store
from apps.coupon import redis_store, services
from apps.coupon.models import Coupon
from apps.coupon.services import coupon_for_order, mirror_coupon_logs, user_coupons
from apps.coupon.tests.factories import CouponFactory, CouponLogFactory
from apps.course.selectors import published_courses
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.orders.services import cancel_order, create_order, expire_orders
from apps.orders.tests.factories import make_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def ordered(user, django_capture_on_commit_callbacks):
    """ordered(coupon=…): a mirrored record of `coupon` (a general one by default) bound to a new
    unpaid order of `user`, after commit; answers (order, record)."""

    def place(coupon=None):
        course = CourseFactory(price="300.00")
        log = CouponLogFactory(user=user, coupon=coupon or CouponFactory())
        mirror_coupon_logs([log.id])
        cart_store.add_lines(user.id, [course.id])
        with django_capture_on_commit_callbacks(execute=True):
            order = create_order(user=user, pay_type=0, user_coupon_id=log.id)
        return order, log

    return place


def offered(user):
    return {record["user_coupon_id"]: record for record in user_coupons(user.id)}


def hash_of(log):
    return get_redis_connection("coupon").hgetall(redis_store.coupon_key(log.user_id, log.id))


def no_rebuild(monkeypatch):
    def refuse(ids):
        if ids:
            raise AssertionError(f"rebuilt {ids}")

    monkeypatch.setattr(services, "mirror_coupon_logs", refuse)


@pytest.mark.parametrize("ending", ["cancel", "time-out"])
def test_a_bound_record_is_offered_again_from_its_kept_hash(
    user, ordered, monkeypatch, django_capture_on_commit_callbacks, ending
):
    order, log = ordered()
    assert log.id not in offered(user)  # bound: not offered…
    before = hash_of(log)
    assert before  # …but its copy is kept
    no_rebuild(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        if ending == "cancel":
            cancel_order(order_id=order.id)
        else:
            make_overdue(order)
            assert expire_orders(order_ids=[order.id]) == 1
    assert log.id in offered(user) and hash_of(log) == before


def test_a_coupon_changed_while_bound_is_offered_with_its_new_fields(user, ordered, django_capture_on_commit_callbacks):
    order, log = ordered()
    Coupon.objects.filter(pk=log.coupon_id).update(name="改名后")
    mirror_coupon_logs([log.id])  # what the coupon admin does on a change: the bound copy goes
    assert not hash_of(log)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order_id=order.id)
    assert offered(user)[log.id]["name"] == "改名后"


@pytest.mark.parametrize(
    "change",
    [{"is_show": False}, {"is_deleted": True}, {"end_time": "past"}],
    ids=["coupon hidden", "coupon deleted", "coupon ended"],
)
def test_a_record_no_longer_available_is_not_offered_after_the_cancel(
    user, ordered, django_capture_on_commit_callbacks, change
):
    order, log = ordered()
    if change.get("end_time") == "past":
        change = {"end_time": timezone.now() - timedelta(seconds=1), "start_time": timezone.now() - timedelta(days=2)}
    Coupon.objects.filter(pk=log.coupon_id).update(**change)  # not mirrored: the release must look
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order_id=order.id)
    assert log.id not in offered(user) and not hash_of(log)
    assert Order.objects.get(pk=order.id).order_status == Order.Status.CANCELLED


def test_a_record_whose_copy_is_gone_is_rebuilt_on_release(user, ordered, django_capture_on_commit_callbacks):
    order, log = ordered()
    get_redis_connection("coupon").delete(redis_store.coupon_key(user.id, log.id))  # expired, or sync removed it
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order_id=order.id)
    assert offered(user)[log.id]["coupon_id"] == log.coupon_id


def test_paying_removes_the_kept_copy(user, ordered, django_capture_on_commit_callbacks):
    from apps.orders.services import pay_order

    order, log = ordered()
    with django_capture_on_commit_callbacks(execute=True):
        pay_order(order_id=order.id, trade_no="T1")
    assert not hash_of(log) and log.id not in offered(user)


def priced(*courses):
    """The courses as order creation has them: with their live prices read."""
    found = published_courses([course.id for course in courses])
    return [found[course.id] for course in courses]


def test_pricing_a_general_coupon_reads_only_the_record(user, django_assert_num_queries):
    courses = priced(CourseFactory(price="300.00"))
    log = CouponLogFactory(user=user)
    with django_assert_num_queries(1):  # the record with its coupon; a general coupon has no scope
        assert coupon_for_order(user_id=user.id, coupon_log_id=log.id, courses=courses)[1] == 20


SCOPED = [Coupon.CouponType.DIRECTION, Coupon.CouponType.CATEGORY, Coupon.CouponType.COURSE]


@pytest.mark.parametrize("coupon_type", SCOPED)
def test_pricing_a_scoped_coupon_reads_only_its_own_scope(user, django_assert_num_queries, coupon_type):
    inside, outside = priced(CourseFactory(price="300.00"), CourseFactory(price="100.00"))
    scope = {
        Coupon.CouponType.DIRECTION: {"directions": [inside.direction]},
        Coupon.CouponType.CATEGORY: {"categories": [inside.category]},
        Coupon.CouponType.COURSE: {"courses": [inside]},
    }[coupon_type]
    coupon = CouponFactory(coupon_type=coupon_type, sale="*0.5", discount=Coupon.Discount.RATE, **scope)
    log = CouponLogFactory(user=user, coupon=coupon)
    with django_assert_num_queries(2):  # the record with its coupon, then the ids of its one scope
        _, amount = coupon_for_order(user_id=user.id, coupon_log_id=log.id, courses=[outside, inside])
    assert amount == 150  # half of the course in scope only
