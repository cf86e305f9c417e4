import pytest
from django.core.management import call_command

from apps.coupon.models import Coupon, CouponLog
from apps.coupon.redis_store import read_all
from apps.course.models import Course
from apps.orders.models import Order
from apps.users.models import User

pytestmark = pytest.mark.django_db


def counts():
    return [model.objects.count() for model in (User, Course, Coupon, CouponLog, Order)]


def test_seed_demo_is_idempotent_and_gives_the_demo_user_data(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    first = counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert counts() == first

    demo = User.objects.get(username="demo")
    assert demo.check_password("demo123456") and demo.credit == 1000
    assert User.objects.get(username="admin").is_superuser
    assert sorted(Order.objects.filter(user=demo).values_list("order_status", flat=True)) == [0, 1, 2, 3]
    assert len(read_all(demo.id)) == 3  # the ended coupon is not offered
    assert Course.objects.filter(activity_prices__isnull=False).exists()
