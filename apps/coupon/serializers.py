"""Output shapes of the coupon endpoints (documentation: the data comes from the Redis copy)."""

from rest_framework import serializers

from apps.coupon.models import Coupon


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
    max_credit = serializers.IntegerField(help_text="the most credit usable with this coupon")


class EnableCouponsSerializer(serializers.Serializer):
    has_credit = serializers.IntegerField()
    credit_to_money = serializers.IntegerField()
    max_credit = serializers.IntegerField(help_text="the most credit usable without a coupon")
    coupon_list = EnableCouponSerializer(many=True)
