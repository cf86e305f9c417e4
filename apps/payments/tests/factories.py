from decimal import Decimal

import factory

from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order, OrderDetail
from apps.users.tests.factories import UserFactory


class OrderFactory(factory.django.DjangoModelFactory):
    """An unpaid Alipay order of one course (real price 358.00) unless told otherwise."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    name = "课程订单"
    order_number = factory.LazyAttributeSequence(lambda o, n: f"20261126{o.user.pk:08d}{n + 1:08d}")
    total_price = Decimal("358.00")
    real_price = Decimal("358.00")

    @factory.post_generation
    def courses(obj, create, extracted, **kwargs):
        if not create:
            return
        for course in extracted if extracted is not None else [CourseFactory(price=obj.total_price)]:
            OrderDetail.objects.create(
                order=obj, course=course, name=course.name, price=course.price, real_price=course.price
            )
