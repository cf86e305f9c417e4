"""Run by run.sh through `manage.py shell`: make sure the demo user holds a general coupon
(满100减20) whatever seed_demo hands out, so the e2e test always has a coupon to spend on an order
and see come back on cancel. Uses the coupon app's own service, the way the admin issues coupons.
The user-center journey runs it again for each customer it registers (E2E_COUPON_USER)."""

import os
from datetime import timedelta

from django.utils import timezone

from apps.coupon.models import Coupon
from apps.coupon.services import issue_coupon, user_coupons
from apps.users.models import User

demo = User.objects.get(username=os.environ.get("E2E_COUPON_USER") or "demo")
now = timezone.now()
coupon, _ = Coupon.objects.get_or_create(
    name="E2E 满100减20",
    defaults={
        "discount": Coupon.Discount.REDUCE,
        "coupon_type": Coupon.CouponType.GENERAL,
        "sale": "-20",
        "condition": 100,
        "total": 100,
        "has_total": 100,
        "per_limit": 1,
        "start_time": now - timedelta(days=1),
        "end_time": now + timedelta(days=30),
    },
)
logs, _ = issue_coupon(coupon=coupon, users=[demo])
print(f"e2e coupon: issued {len(logs)} × {coupon.name}; {demo.username} holds {len(user_coupons(demo.id))} coupon(s)")
