from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.coupon.models import Coupon
from apps.coupon.tests.factories import CouponFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "discount, sale",
    [(Coupon.Discount.REDUCE, "*0.8"), (Coupon.Discount.REDUCE, "20"), (Coupon.Discount.REDUCE, "-abc"),
     (Coupon.Discount.RATE, "-20"), (Coupon.Discount.RATE, "*1.5"), (Coupon.Discount.RATE, "*0"),
     (Coupon.Discount.RATE, "*1"), (Coupon.Discount.REDUCE, "")],
)  # fmt: skip
def test_sale_must_match_discount_on_save(discount, sale):
    with pytest.raises(ValidationError) as error:
        CouponFactory(discount=discount, sale=sale)
    assert "sale" in error.value.message_dict
    assert not Coupon.objects.exists()


@pytest.mark.parametrize(
    "discount, sale",
    [
        (Coupon.Discount.REDUCE, "-20"),
        (Coupon.Discount.REDUCE, " -9.9 "),
        (Coupon.Discount.RATE, "*0.8"),
        (Coupon.Discount.RATE, "*0.75"),
    ],
)
def test_valid_sales_are_stored(discount, sale):
    assert CouponFactory(discount=discount, sale=sale).sale == sale.strip()


def test_end_must_follow_start_and_has_total_fit_total():
    with pytest.raises(ValidationError):
        CouponFactory(start_time=timezone.now(), end_time=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError):
        CouponFactory(total=5, has_total=6)
