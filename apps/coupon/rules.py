"""What a coupon takes off an order: one implementation for the checkout list (coupons read from
Redis) and for order creation (coupons read from the database)."""

import json
from dataclasses import dataclass
from decimal import Decimal

from apps.coupon.models import Coupon
from extension.money import ZERO, to_money


@dataclass(frozen=True)
class CouponRule:
    discount: int
    coupon_type: int
    sale: str
    condition: Decimal
    direction_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    course_ids: frozenset[int] = frozenset()

    @classmethod
    def from_coupon(cls, coupon: Coupon, scope: dict | None = None) -> "CouponRule":
        """From the database row; the scope ids from its links, or from `scope` when the caller
        read them ({"course_ids": …}; scopes it leaves out are empty)."""
        if scope is None:
            scope = {
                "direction_ids": frozenset(link.direction_id for link in coupon.to_direction.all()),
                "category_ids": frozenset(link.category_id for link in coupon.to_category.all()),
                "course_ids": frozenset(link.course_id for link in coupon.to_course.all()),
            }
        return cls(
            discount=coupon.discount,
            coupon_type=coupon.coupon_type,
            sale=coupon.sale,
            condition=coupon.condition,
            **scope,
        )

    @classmethod
    def from_mirror(cls, item: dict) -> "CouponRule":
        """From the Redis copy (see apps.coupon.services.coupon_fields)."""

        def ids(field: str, key: str) -> frozenset[int]:
            value = item.get(field) or "[]"
            rows = json.loads(value) if isinstance(value, str) else value
            return frozenset(int(row[key]) for row in rows)

        return cls(
            discount=int(item["discount"]),
            coupon_type=int(item["coupon_type"]),
            sale=item["sale"],
            condition=Decimal(item["condition"]),
            direction_ids=ids("to_direction", "direction__id"),
            category_ids=ids("to_category", "category__id"),
            course_ids=ids("to_course", "course__id"),
        )

    def in_scope(self, course) -> bool:
        if self.coupon_type == Coupon.CouponType.GENERAL:
            return True
        if self.coupon_type == Coupon.CouponType.DIRECTION:
            return course.direction_id in self.direction_ids
        if self.coupon_type == Coupon.CouponType.CATEGORY:
            return course.category_id in self.category_ids
        if self.coupon_type == Coupon.CouponType.COURSE:
            return course.id in self.course_ids
        return False

    def applicable_courses(self, courses) -> list:
        """The courses the coupon may discount: in its scope and without a live activity price
        (an activity price and a coupon do not stack on one course)."""
        return [course for course in courses if self.in_scope(course) and not course.discount]

    def amount_off(self, courses) -> Decimal | None:
        """Yuan taken off `courses`, or None when the coupon cannot be used on them (no applicable
        course, or their total below the coupon's minimum spend)."""
        applicable = self.applicable_courses(courses)
        if not applicable:
            return None
        base = sum((course.price for course in applicable), ZERO)
        if base < self.condition:
            return None
        if self.discount == Coupon.Discount.REDUCE:
            amount = Decimal(self.sale.lstrip("-"))
        elif self.discount == Coupon.Discount.RATE:
            rate = Decimal(self.sale.lstrip("*"))
            amount = max(course.price for course in applicable) * (1 - rate)
        else:
            return None
        return min(to_money(amount), to_money(base))
