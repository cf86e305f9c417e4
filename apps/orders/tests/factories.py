from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order, OrderDetail
from apps.users.tests.factories import UserFactory


class OrderFactory(factory.django.DjangoModelFactory):
    """An order written straight to the database (for listing and sweeps); use the service
    `create_order` when the test is about creation."""

    class Meta:
        model = Order

    name = "购买课程"
    user = factory.SubFactory(UserFactory)
    order_number = factory.Sequence(lambda n: f"{timezone.localdate():%Y%m%d}{n:016d}")
    total_price = Decimal("100.00")
    real_price = Decimal("100.00")


class OrderDetailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderDetail

    order = factory.SubFactory(OrderFactory)
    course = factory.SubFactory(CourseFactory)
    name = factory.LazyAttribute(lambda d: d.course.name)
    price = factory.LazyAttribute(lambda d: d.course.price)
    real_price = factory.LazyAttribute(lambda d: d.course.price)


def make_overdue(*orders, seconds: int = 901) -> None:
    """Backdate orders past ORDER_TIMEOUT (auto_now_add cannot be set at creation)."""
    Order.objects.filter(pk__in=[order.pk for order in orders]).update(
        created_time=timezone.now() - timedelta(seconds=seconds)
    )
