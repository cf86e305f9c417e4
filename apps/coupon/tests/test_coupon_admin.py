"""The admin keeps Redis in step: save adds or removes, delete (single or bulk) removes, and a
rolled-back save leaves Redis untouched."""

import pytest
from django.db import transaction
from django.urls import reverse

from apps.coupon import redis_store
from apps.coupon.models import Coupon, CouponLog
from apps.coupon.tests.factories import CouponFactory, CouponLogFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def in_redis(user):
    return [r["user_coupon_id"] for r in redis_store.read_all(user.id)]


EMPTY_INLINES = {
    f"{prefix}-{field}": value
    for prefix in ("to_direction", "to_category", "to_course")
    for field, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0), ("MIN_NUM_FORMS", 0), ("MAX_NUM_FORMS", 1000))
}


def log_form(log, **changes):
    return {"user": log.user_id, "coupon": log.coupon_id, "order": "", "use_time_0": "", "use_time_1": "",
            "use_status": log.use_status, "is_show": "on", "orders": 1, **changes}  # fmt: skip


def test_admin_add_puts_an_unused_record_into_redis(admin_client, user, django_capture_on_commit_callbacks):
    coupon = CouponFactory()
    form = {"user": user.id, "coupon": coupon.id, "order": "", "use_time_0": "", "use_time_1": "",
            "use_status": 0, "is_show": "on", "orders": 1}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:coupon_couponlog_add"), form)
    assert response.status_code == 302
    log = CouponLog.objects.get(user=user)
    assert in_redis(user) == [log.id]


def test_admin_marking_used_removes_it_from_redis(admin_client, user, django_capture_on_commit_callbacks):
    log = CouponLogFactory(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:coupon_couponlog_change", args=[log.id]), log_form(log))
    assert in_redis(user) == [log.id]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:coupon_couponlog_change", args=[log.id]), log_form(log, use_status=1)
        )
    assert response.status_code == 302
    assert in_redis(user) == []


def test_admin_single_delete_removes_it(admin_client, user, django_capture_on_commit_callbacks):
    log = CouponLogFactory(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:coupon_couponlog_change", args=[log.id]), log_form(log))
        response = admin_client.post(reverse("admin:coupon_couponlog_delete", args=[log.id]), {"post": "yes"})
    assert response.status_code == 302
    assert not CouponLog.objects.exists() and in_redis(user) == []


def test_admin_bulk_delete_removes_them_all(admin_client, user, mirrored, django_capture_on_commit_callbacks):
    logs = [CouponLogFactory(user=user) for _ in range(3)]
    keep = CouponLogFactory(user=user)
    mirrored(*logs, keep)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:coupon_couponlog_changelist"),
            {"action": "delete_selected", "_selected_action": [log.id for log in logs], "post": "yes"},
        )
    assert response.status_code == 302
    assert in_redis(user) == [keep.id]


def test_rolled_back_save_leaves_redis_untouched(user, mirrored, django_capture_on_commit_callbacks):
    from apps.coupon.services import mirror_after_commit

    log = CouponLogFactory(user=user)
    mirrored(log)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            CouponLog.objects.filter(pk=log.pk).update(use_status=1)
            mirror_after_commit([log.id])
            raise RuntimeError("the admin save failed later")
    assert in_redis(user) == [log.id]


def test_editing_a_coupon_refreshes_its_holders(admin_client, user, mirrored, django_capture_on_commit_callbacks):
    log = CouponLogFactory(user=user, coupon__name="旧名字")
    mirrored(log)
    coupon = log.coupon
    form = {
        "name": "新名字", "discount": 1, "coupon_type": 0, "get_type": 0, "sale": "-30", "condition": "0",
        "total": 100, "has_total": 99, "per_limit": 1, "is_show": "on", "orders": 1,
        "start_time_0": coupon.start_time.strftime("%Y-%m-%d"), "start_time_1": "00:00:00",
        "end_time_0": coupon.end_time.strftime("%Y-%m-%d"), "end_time_1": "23:59:59",
        **EMPTY_INLINES,
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:coupon_coupon_change", args=[coupon.id]), form)
    assert response.status_code == 302, response.content[:2000]
    [record] = redis_store.read_all(user.id)
    assert record["name"] == "新名字" and record["sale"] == "-30"


def test_admin_form_refuses_a_sale_that_does_not_match_the_discount(admin_client):
    form = {
        "name": "坏券", "discount": 2, "coupon_type": 0, "get_type": 0, "sale": "-20", "condition": "0",
        "total": 100, "has_total": 100, "per_limit": 1, "is_show": "on", "orders": 1,
        "start_time_0": "2026-01-01", "start_time_1": "00:00:00", "end_time_0": "2027-01-01", "end_time_1": "00:00:00",
        **EMPTY_INLINES,
    }  # fmt: skip
    response = admin_client.post(reverse("admin:coupon_coupon_add"), form)
    assert response.status_code == 200 and "折扣券的优惠公式" in response.content.decode()
    assert not Coupon.objects.exists()


def test_issue_action_respects_per_limit_and_has_total(admin_client, django_capture_on_commit_callbacks):
    users = [UserFactory() for _ in range(3)]
    coupon = CouponFactory(total=10, has_total=2, per_limit=1)
    CouponLogFactory(user=users[0], coupon=coupon)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:users_user_changelist"),
            {"action": "issue_coupon", "_selected_action": [u.id for u in users], "coupon": coupon.id, "apply": "1"},
            follow=True,
        )
    assert response.status_code == 200
    coupon.refresh_from_db()
    assert coupon.has_total == 0
    assert CouponLog.objects.filter(coupon=coupon).count() == 3
    assert all(in_redis(user) for user in users[1:])


def test_issue_action_refuses_when_too_few_are_left(admin_client):
    users = [UserFactory() for _ in range(3)]
    coupon = CouponFactory(total=10, has_total=2)
    admin_client.post(
        reverse("admin:users_user_changelist"),
        {"action": "issue_coupon", "_selected_action": [u.id for u in users], "coupon": coupon.id, "apply": "1"},
    )
    assert not CouponLog.objects.exists()
    coupon.refresh_from_db()
    assert coupon.has_total == 2


def test_issue_action_shows_its_form_first(admin_client):
    user = UserFactory()
    response = admin_client.post(
        reverse("admin:users_user_changelist"), {"action": "issue_coupon", "_selected_action": [user.id]}
    )
    assert response.status_code == 200 and "发放优惠券" in response.content.decode()
