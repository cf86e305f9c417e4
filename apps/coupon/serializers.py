"""Shapes of the coupon endpoints: /coupon/ and /coupon/enable/ answer the Redis copy (these
serializers only document it); /coupon/mine/ serializes database records."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.coupon.models import Coupon, CouponLog
from apps.coupon.selectors import scope_names


class CouponRecordSerializer(serializers.Serializer):
    user_coupon_id = serializers.IntegerField()
    coupon_id = serializers.IntegerField()
    name = serializers.CharField()
    discount = serializers.ChoiceField(choices=Coupon.Discount.choices)
    get_discount_display = serializers.CharField()
    coupon_type = serializers.ChoiceField(choices=Coupon.CouponType.choices)
    get_coupon_type_display = serializers.CharField()
    get_type = serializers.ChoiceField(choices=Coupon.GetType.choices)
    get_get_type_display = serializers.CharField()
    start_time = serializers.CharField()
    end_time = serializers.CharField()
    condition = serializers.CharField()
    sale = serializers.CharField()
    to_direction = serializers.ListField(child=serializers.DictField())
    to_category = serializers.ListField(child=serializers.DictField())
    to_course = serializers.ListField(child=serializers.DictField())


class EnableCouponSerializer(CouponRecordSerializer):
    enable_course = serializers.JSONField(help_text='"__all__" or a list of course ids')
    amount = serializers.CharField(help_text="what the coupon takes off the selected courses")
    real_price = serializers.CharField(help_text="what is left to pay with this coupon, before credit")
    max_credit = serializers.IntegerField(help_text="the most credit usable with this coupon")


class EnableCouponsSerializer(serializers.Serializer):
    has_credit = serializers.IntegerField()
    credit_to_money = serializers.IntegerField()
    max_credit = serializers.IntegerField(help_text="the most credit usable without a coupon")
    coupon_list = EnableCouponSerializer(many=True)


class MineFilterSerializer(serializers.Serializer):
    """GET /coupon/mine/ query."""

    status = serializers.ChoiceField(
        choices=[("usable", "可用"), ("used", "已使用"), ("expired", "已过期")],
        required=False,
        default="usable",
        error_messages={"invalid_choice": "status 只能是 usable、used 或 expired"},
    )


class MyCouponSerializer(serializers.Serializer):
    """A `CouponLog` of the user with its coupon, as 我的优惠券 shows it. `use_status` is what the
    record is now: an unused record whose coupon has ended says 2 (已过期)."""

    user_coupon_id = serializers.IntegerField(source="id")
    name = serializers.CharField(source="coupon.name")
    discount = serializers.IntegerField(source="coupon.discount", help_text="1 减免，2 折扣")
    get_discount_display = serializers.CharField(source="coupon.get_discount_display")
    coupon_type = serializers.IntegerField(source="coupon.coupon_type", help_text="0 通用，1 方向，2 分类，3 课程")
    get_coupon_type_display = serializers.CharField(source="coupon.get_coupon_type_display")
    sale = serializers.CharField(source="coupon.sale")
    condition = serializers.DecimalField(source="coupon.condition", max_digits=10, decimal_places=2)
    start_time = serializers.DateTimeField(source="coupon.start_time")
    end_time = serializers.DateTimeField(source="coupon.end_time")
    use_status = serializers.SerializerMethodField(help_text="0 未使用，1 已使用，2 已过期")
    use_time = serializers.DateTimeField(allow_null=True)
    order_number = serializers.SerializerMethodField(help_text="使用或占用它的订单号；没有为 null")
    scope = serializers.SerializerMethodField(help_text="适用的方向、分类或课程名称；[] 表示通用")

    def get_use_status(self, log) -> int:
        if log.use_status == CouponLog.UseStatus.UNUSED and log.coupon.end_time <= timezone.now():
            return CouponLog.UseStatus.EXPIRED
        return log.use_status

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_order_number(self, log) -> str | None:
        return log.order.order_number if log.order_id else None

    def get_scope(self, log) -> list[str]:
        return scope_names(log.coupon)
