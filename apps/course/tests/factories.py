from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from apps.course.models import Activity, Course, CourseActivityPrice, CourseCategory, CourseDirection, DiscountType


class DirectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseDirection

    name = factory.Sequence(lambda n: f"方向{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseCategory

    name = factory.Sequence(lambda n: f"分类{n}")
    direction = factory.SubFactory(DirectionFactory)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    name = factory.Sequence(lambda n: f"课程{n}")
    price = Decimal("100.00")
    credit = 50
    category = factory.SubFactory(CategoryFactory)
    direction = factory.LazyAttribute(lambda c: c.category.direction)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    name = factory.Sequence(lambda n: f"活动{n}")
    start_time = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    end_time = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class DiscountTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscountType

    name = "限时折扣"


class ActivityPriceFactory(factory.django.DjangoModelFactory):
    """A live activity price for a course (the activity runs from an hour ago to tomorrow)."""

    class Meta:
        model = CourseActivityPrice

    activity = factory.SubFactory(ActivityFactory)
    course = factory.SubFactory(CourseFactory)
    discount_type = factory.SubFactory(DiscountTypeFactory)
    sale = "*0.8"
