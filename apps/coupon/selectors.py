"""Reads of coupon records from the database (the Redis copy answers only the available ones)."""

from django.db.models import Q
from django.utils import timezone

from apps.coupon.models import CouponLog
from apps.coupon.services import scope_prefetches

MINE_STATUSES = ("usable", "used", "expired")


def my_coupon_records(*, user_id: int, status: str = "usable", now=None):
    """我的优惠券 of one tab, newest first, in a constant number of queries a page (the records with
    their coupon and order, then one query per kind of scope link):
    usable — unused and not ended (one bound to an unpaid order is here too, with its number);
    used — used by a paid order; expired — ended unused, or marked expired."""
    now = now or timezone.now()
    records = CouponLog.objects.filter(
        user_id=user_id, is_deleted=False, is_show=True, coupon__is_deleted=False, coupon__is_show=True
    )
    unused = Q(use_status=CouponLog.UseStatus.UNUSED)
    if status == "usable":
        records = records.filter(unused, coupon__end_time__gt=now)
    elif status == "used":
        records = records.filter(use_status=CouponLog.UseStatus.USED)
    elif status == "expired":
        records = records.filter((unused & Q(coupon__end_time__lte=now)) | Q(use_status=CouponLog.UseStatus.EXPIRED))
    else:
        raise ValueError(f"unknown coupon tab {status!r}")
    return records.select_related("coupon", "order").prefetch_related(*scope_prefetches("coupon__")).order_by("-id")


def scope_names(coupon) -> list[str]:
    """The names of what the coupon applies to ([] for a general coupon), from its prefetched links."""
    if coupon.coupon_type == coupon.CouponType.DIRECTION:
        return [link.direction.name for link in coupon.to_direction.all()]
    if coupon.coupon_type == coupon.CouponType.CATEGORY:
        return [link.category.name for link in coupon.to_category.all()]
    if coupon.coupon_type == coupon.CouponType.COURSE:
        return [link.course.name for link in coupon.to_course.all()]
    return []
