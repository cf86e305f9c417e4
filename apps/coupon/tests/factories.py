from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from apps.coupon.models import Coupon, CouponLog
from apps.users.tests.factories import UserFactory


class CouponFactory(factory.django.DjangoModelFactory):
    """A general 减免 coupon, 20 yuan off, no minimum spend, live from yesterday for a month."""

    class Meta:
        model = Coupon
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"优惠券{n}")
    discount = Coupon.Discount.REDUCE
    coupon_type = Coupon.CouponType.GENERAL
    sale = "-20"
    condition = Decimal("0")
    total = 100
    has_total = 100
    start_time = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    end_time = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))

    @factory.post_generation
    def directions(coupon, create, extracted, **kwargs):
        for direction in extracted or []:
            coupon.to_direction.create(direction=direction)

    @factory.post_generation
    def categories(coupon, create, extracted, **kwargs):
        for category in extracted or []:
            coupon.to_category.create(category=category)

    @factory.post_generation
    def courses(coupon, create, extracted, **kwargs):
        for course in extracted or []:
            coupon.to_course.create(course=course)


class CouponLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouponLog

    user = factory.SubFactory(UserFactory)
    coupon = factory.SubFactory(CouponFactory)
