"""Demo coupons for the demo user: one of each kind, and one that has already ended."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.coupon.models import Coupon, CouponLog
from apps.coupon.services import sync_coupons
from apps.course.models import Course, CourseDirection


def _coupon(name: str, links=(), **fields) -> Coupon:
    coupon = Coupon.objects.filter(name=name).first()
    if coupon is None:
        coupon = Coupon.objects.create(name=name, **fields)
        for relation, target in links:
            getattr(coupon, relation).create(**target)
    return coupon


def seed_coupons(user, stdout=None) -> None:
    now = timezone.now()
    live = {"start_time": now - timedelta(days=1), "end_time": now + timedelta(days=60)}
    front = CourseDirection.objects.filter(name="前端开发").first()
    hadoop = Course.objects.filter(name__startswith="Hadoop").first()
    coupons = [
        _coupon("全场满300减50", sale="-50", condition=Decimal("300"), **live),
        _coupon("前端开发 8折券", discount=Coupon.Discount.RATE, coupon_type=Coupon.CouponType.DIRECTION,
                sale="*0.8", links=[("to_direction", {"direction": front})] if front else (), **live),
        _coupon("Hadoop 专享立减30", coupon_type=Coupon.CouponType.COURSE, sale="-30",
                links=[("to_course", {"course": hadoop})] if hadoop else (), **live),
        _coupon("国庆限时券（已过期）", sale="-100",
                start_time=now - timedelta(days=60), end_time=now - timedelta(days=30)),
    ]  # fmt: skip
    for coupon in coupons:
        if not CouponLog.objects.filter(user=user, coupon=coupon).exists():
            CouponLog.objects.create(user=user, coupon=coupon)
    result = sync_coupons()
    if stdout:
        stdout.write(f"coupons: {len(coupons)} for {user.username}, {result['written']} offered in Redis")
