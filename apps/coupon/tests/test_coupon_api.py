import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_redis import get_redis_connection

from apps.cart import redis_store as cart_store
from apps.coupon import redis_store
from apps.coupon.models import Coupon, CouponLog
from apps.coupon.services import sync_coupons
from apps.coupon.tests.factories import CouponFactory, CouponLogFactory
from apps.course.tests.factories import ActivityPriceFactory, CourseFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_mirror_writes_every_field_and_expires_at_coupon_end(user, mirrored):
    course = CourseFactory(name="Vue3")
    log = CouponLogFactory(user=user, coupon=CouponFactory(name="Vue专享", coupon_type=3, courses=[course]))
    mirrored(log)
    redis = get_redis_connection("coupon")
    key = f"{user.id}:{log.id}"
    stored = {k.decode(): v.decode() for k, v in redis.hgetall(key).items()}
    assert stored["name"] == "Vue专享" and stored["sale"] == "-20" and stored["coupon_type"] == "3"
    assert stored["get_coupon_type_display"] == "指定课程" and stored["get_discount_display"] == "减免"
    assert json.loads(stored["to_course"]) == [{"course__id": course.id, "course__name": "Vue3"}]
    assert abs(redis.ttl(key) - (log.coupon.end_time - timezone.now()).total_seconds()) < 5


def test_mirror_refreshes_a_batch_in_one_round_trip_each_way(user, mirrored, monkeypatch, django_assert_num_queries):
    from redis.client import Pipeline

    course = CourseFactory(name="Vue3")
    coupon = CouponFactory(name="批量券", coupon_type=3, courses=[course])
    other = UserFactory()
    free = [CouponLogFactory(user=owner, coupon=coupon) for owner in (user, other, user, other)]
    used = [CouponLogFactory(user=owner, coupon=coupon) for owner in (user, other)]
    mirrored(*used)
    CouponLog.objects.filter(pk__in=[log.id for log in used]).update(use_status=CouponLog.UseStatus.USED)
    round_trips = []
    execute = Pipeline.execute

    def counted(pipe, *args, **kwargs):
        round_trips.append(len(pipe))
        return execute(pipe, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", counted)

    # the records with their coupons, then the coupons' three kinds of scope links: not per record
    with django_assert_num_queries(5):
        mirrored(*free, *used)

    assert len(round_trips) == 2  # every write, then every removal
    for owner in (user, other):
        records = redis_store.read_all(owner.id)
        assert [r["user_coupon_id"] for r in records] == [log.id for log in free if log.user_id == owner.id]
        assert {r["name"] for r in records} == {"批量券"}
        assert {r["to_course"] for r in records} == {json.dumps([{"course__id": course.id, "course__name": "Vue3"}])}
    redis = get_redis_connection("coupon")
    assert not any(redis.exists(f"{log.user_id}:{log.id}") for log in used)


def test_ended_coupon_is_not_written(user, mirrored):
    log = CouponLogFactory(
        user=user,
        coupon__start_time=timezone.now() - timedelta(days=3),
        coupon__end_time=timezone.now() - timedelta(days=1),
    )
    mirrored(log)
    assert redis_store.read_all(user.id) == []


def test_coupon_list_answers_the_users_available_coupons(auth_client, user, mirrored):
    mine = CouponLogFactory(user=user, coupon__name="满减券")
    used = CouponLogFactory(user=user, use_status=CouponLog.UseStatus.USED)
    foreign = CouponLogFactory(user=UserFactory())
    mirrored(mine, used, foreign)
    response = auth_client.get("/coupon/")
    assert response.status_code == 200
    [record] = response.json()["data"]
    assert record["user_coupon_id"] == mine.id and record["name"] == "满减券"
    assert record["to_direction"] == [] and record["to_course"] == []


def test_listing_never_uses_keys(auth_client, user, mirrored, monkeypatch):
    mirrored(CouponLogFactory(user=user))
    from redis.client import Redis

    def forbidden(*args, **kwargs):
        raise AssertionError("KEYS scans the whole keyspace")

    monkeypatch.setattr(Redis, "keys", forbidden)
    assert len(auth_client.get("/coupon/").json()["data"]) == 1


def test_expired_entries_leave_the_per_user_index(user, mirrored):
    log = CouponLogFactory(user=user)
    mirrored(log)
    get_redis_connection("coupon").delete(f"{user.id}:{log.id}")  # what the expiry does
    assert redis_store.read_all(user.id) == []
    assert not get_redis_connection("coupon").smembers(redis_store.index_key(user.id))


def test_enable_answers_credit_rate_and_usable_coupons(auth_client, user, mirrored):
    front = CourseFactory(price="300.00")
    back = CourseFactory(price="100.00")
    discounted = ActivityPriceFactory(course__price="500.00").course
    cart_store.add_lines(user.id, [front.id, back.id, discounted.id])
    general = CouponLogFactory(user=user, coupon__sale="-50")
    direction = CouponLogFactory(user=user, coupon=CouponFactory(coupon_type=1, directions=[front.direction]))
    category = CouponLogFactory(user=user, coupon=CouponFactory(coupon_type=2, categories=[back.category]))
    course = CouponLogFactory(user=user, coupon=CouponFactory(coupon_type=3, courses=[front]))
    rate = CouponLogFactory(user=user, coupon=CouponFactory(discount=Coupon.Discount.RATE, sale="*0.9"))
    elsewhere = CouponLogFactory(user=user, coupon=CouponFactory(coupon_type=3, courses=[CourseFactory()]))
    activity_only = CouponLogFactory(user=user, coupon=CouponFactory(coupon_type=3, courses=[discounted]))
    too_dear = CouponLogFactory(user=user, coupon__condition=Decimal("401.00"))
    not_yet = CouponLogFactory(user=user, coupon__start_time=timezone.now() + timedelta(days=1),
                               coupon__end_time=timezone.now() + timedelta(days=2))  # fmt: skip
    mirrored(general, direction, category, course, rate, elsewhere, activity_only, too_dear, not_yet)

    data = auth_client.get("/coupon/enable/").json()["data"]

    assert data["has_credit"] == 1000 and data["credit_to_money"] == 10
    usable = {c["user_coupon_id"]: c for c in data["coupon_list"]}
    assert set(usable) == {general.id, direction.id, category.id, course.id, rate.id}
    assert usable[general.id]["enable_course"] == "__all__" and usable[general.id]["amount"] == "50.00"
    assert usable[direction.id]["enable_course"] == [front.id]
    assert usable[category.id]["enable_course"] == [back.id]
    assert usable[course.id]["enable_course"] == [front.id]
    assert usable[rate.id]["amount"] == "30.00"  # 10 % of the dearest course without an activity price
    real_price = Decimal(auth_client.get("/cart/order/").json()["data"]["real_price"])
    assert usable[general.id]["real_price"] == f"{real_price - 50:.2f}"
    assert usable[rate.id]["real_price"] == f"{real_price - 30:.2f}"


def test_enable_with_nothing_selected_lists_no_coupon(auth_client, user, mirrored):
    mirrored(CouponLogFactory(user=user))
    cart_store.add_lines(user.id, [CourseFactory().id], selected=False)
    assert auth_client.get("/coupon/enable/").json()["data"]["coupon_list"] == []


def test_coupon_endpoints_require_login(api_client):
    assert api_client.get("/coupon/").status_code == 401
    assert api_client.get("/coupon/enable/").status_code == 401


def test_sync_rebuilds_redis_after_flushdb(user, mirrored):
    alive = CouponLogFactory(user=user)
    other = CouponLogFactory()
    used = CouponLogFactory(user=user, use_status=CouponLog.UseStatus.USED)
    ended = CouponLogFactory(user=user, coupon__start_time=timezone.now() - timedelta(days=3),
                             coupon__end_time=timezone.now() - timedelta(days=1))  # fmt: skip
    mirrored(alive, other)
    get_redis_connection("coupon").flushdb()

    result = sync_coupons()

    assert result["written"] == 2 and result["expired"] == 1
    assert [r["user_coupon_id"] for r in redis_store.read_all(user.id)] == [alive.id]
    assert [r["user_coupon_id"] for r in redis_store.read_all(other.user_id)] == [other.id]
    ended.refresh_from_db()
    assert ended.use_status == CouponLog.UseStatus.EXPIRED
    assert used.id not in {r["user_coupon_id"] for r in redis_store.read_all(user.id)}


def test_sync_removes_stale_copies(user, mirrored):
    log = CouponLogFactory(user=user)
    mirrored(log)
    CouponLog.objects.filter(pk=log.pk).update(use_status=CouponLog.UseStatus.USED)  # behind Redis' back
    assert sync_coupons()["removed"] == 1
    assert redis_store.read_all(user.id) == []


def test_sync_coupons_command(user, mirrored):
    from django.core.management import call_command

    CouponLogFactory(user=user)
    call_command("sync_coupons")
    assert len(redis_store.read_all(user.id)) == 1
