import re
from decimal import Decimal

from rest_framework import serializers

from apps.orders.models import Order
from apps.payments.models import Recharge


class PayLinkSerializer(serializers.Serializer):
    pay_type = serializers.IntegerField()
    get_pay_type_display = serializers.CharField()
    link = serializers.URLField(help_text="the Alipay page-pay URL (the local sandbox cashier without credentials)")


class OrderPayStateSerializer(serializers.ModelSerializer):
    """What the client's 5-second poll reads; it stops when `order_status` is 1."""

    class Meta:
        model = Order
        fields = ["order_status", "get_order_status_display", "pay_time"]


class PaidCourseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="course_id")
    name = serializers.CharField()


class PayResultSerializer(serializers.ModelSerializer):
    """The return page's data: `pay_time`, `real_price` and `course_list` (meaningful once paid)."""

    course_list = PaidCourseSerializer(source="order_courses", many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "order_number",
            "order_status",
            "get_order_status_display",
            "pay_time",
            "real_price",
            "course_list",
        ]


class AlipayNotifySerializer(serializers.Serializer):
    """Documentation only: the notify is read as a plain form, every field Alipay sends is signed."""

    app_id = serializers.CharField()
    out_trade_no = serializers.CharField()
    trade_no = serializers.CharField()
    total_amount = serializers.CharField()
    trade_status = serializers.CharField()
    gmt_payment = serializers.CharField(required=False)
    sign_type = serializers.CharField()
    sign = serializers.CharField()


class RefundRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, help_text="退款原因")


class RefundCreatedSerializer(serializers.Serializer):
    refund_id = serializers.IntegerField()
    status = serializers.IntegerField(help_text="0 待审核 1 退款中 2 已退款 3 已拒绝 4 退款失败")


class RefundStateSerializer(serializers.Serializer):
    """The state of the order's latest refund request (GET /order/<id>/refund/)."""

    refund_id = serializers.IntegerField(source="id")
    status = serializers.IntegerField(help_text="0 待审核 1 退款中 2 已退款 3 已拒绝 4 退款失败")
    get_status_display = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    channel = serializers.CharField(help_text="alipay 或 balance")
    reason = serializers.CharField()
    reject_reason = serializers.CharField()
    created_time = serializers.DateTimeField()
    refunded_time = serializers.DateTimeField(allow_null=True)


class PlainAmountField(serializers.DecimalField):
    """A yuan amount written as plain ASCII digits with at most two decimals ("100", "99.5",
    "50000.00") or a JSON number: no exponents, full-width digits or signs."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, str) and not PLAIN_AMOUNT.fullmatch(data.strip())):
            self.fail("invalid")
        return super().to_internal_value(data)


PLAIN_AMOUNT = re.compile(r"[0-9]{1,9}(\.[0-9]{1,9})?", re.ASCII)


class RechargeCreateSerializer(serializers.Serializer):
    """A top-up of 1.00 to 50,000.00 yuan with at most two decimals (SPEC §9.2)."""

    amount = PlainAmountField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("1.00"),
        max_value=Decimal("50000.00"),
        error_messages={
            "invalid": "充值金额必须是数字",
            "min_value": "充值金额最少 1.00 元",
            "max_value": "充值金额最多 50000.00 元",
            "max_digits": "充值金额最多 50000.00 元",
            "max_whole_digits": "充值金额最多 50000.00 元",
            "max_decimal_places": "充值金额最多两位小数",
            "required": "请输入充值金额",
            "null": "请输入充值金额",
        },
    )


class RechargeLinkSerializer(serializers.Serializer):
    recharge_number = serializers.CharField()
    link = serializers.URLField(help_text="the Alipay page-pay URL (the local sandbox cashier without credentials)")


class RechargeResultSerializer(serializers.ModelSerializer):
    """The return page's data for a top-up: `status` 1 once the balance was credited."""

    class Meta:
        model = Recharge
        fields = ["recharge_number", "amount", "status", "get_status_display", "paid_at"]
