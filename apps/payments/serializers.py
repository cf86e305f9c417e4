from rest_framework import serializers

from apps.orders.models import Order


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
