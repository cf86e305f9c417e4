from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.course.serializers import cover_url
from apps.orders.models import Order, OrderDetail

MAX_ID = 2**63 - 1


class OrderCreateSerializer(serializers.Serializer):
    pay_type = serializers.ChoiceField(choices=Order.PayType.choices, default=Order.PayType.ALIPAY)
    user_coupon_id = serializers.IntegerField(min_value=-1, max_value=MAX_ID, default=-1)
    credit = serializers.IntegerField(min_value=0, max_value=MAX_ID, default=0)


class OrderCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField()
    order_timeout = serializers.IntegerField()
    order_status = serializers.IntegerField()


class OrderListFilterSerializer(serializers.Serializer):
    """`status` 0–3 filters and anything else means all (as the client sends -1); `start`/`end`
    are inclusive days in Asia/Shanghai; `order_number` matches exactly or as a prefix."""

    status = serializers.CharField(required=False, allow_blank=True)
    order_number = serializers.RegexField(r"^\d{1,24}$", required=False, error_messages={"invalid": "订单号只能是数字"})
    start = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    end = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])

    def validate_status(self, value):
        return int(value) if value in {str(status) for status in Order.Status.values} else None

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and start > end:
            raise serializers.ValidationError({"end": ["结束日期不能早于开始日期"]})
        # the first and the last day a date can name mean "no bound" (their UTC instant or the
        # day after would be out of range)
        attrs["created_from"] = _local_midnight(start) if start and start > date.min else None
        attrs["created_before"] = _local_midnight(end + timedelta(days=1)) if end and end < date.max else None
        return attrs


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class OrderCourseSerializer(serializers.ModelSerializer):
    course_id = serializers.IntegerField()
    course_name = serializers.CharField(source="name")
    course_cover = serializers.SerializerMethodField()

    class Meta:
        model = OrderDetail
        fields = ["id", "price", "real_price", "discount_name", "course_id", "course_name", "course_cover"]

    def get_course_cover(self, detail) -> str:
        return cover_url(detail.course, self.context.get("request"))


class OrderCouponSerializer(serializers.Serializer):
    """The coupon an order used; `{}` when it used none (so no field is required)."""

    id = serializers.IntegerField(required=False)
    name = serializers.CharField(required=False)
    sale = serializers.CharField(required=False)
    discount = serializers.IntegerField(required=False)
    condition = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)


class OrderListSerializer(serializers.ModelSerializer):
    coupon = serializers.SerializerMethodField()
    order_courses = OrderCourseSerializer(many=True, read_only=True)
    get_order_status_display = serializers.CharField(read_only=True)
    expire_time = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id", "order_number", "total_price", "real_price", "pay_time", "created_time", "credit", "coupon",
            "pay_type", "order_status", "order_courses", "get_order_status_display", "credit_discount",
            "coupon_discount", "expire_time",
        ]  # fmt: skip

    @extend_schema_field(OrderCouponSerializer)
    def get_coupon(self, order) -> dict:
        """The coupon the order used (history: still shown after the coupon was freed), else {}."""
        if order.user_coupon_id is None:
            return {}
        return OrderCouponSerializer(order.user_coupon.coupon).data

    def get_expire_time(self, order) -> datetime | None:
        """When an unpaid order times out (the client's countdown); None once it left 0."""
        if order.order_status != Order.Status.UNPAID:
            return None
        deadline = order.created_time + timedelta(seconds=settings.ORDER_TIMEOUT)
        return serializers.DateTimeField().to_representation(deadline)


class RecoverResultSerializer(serializers.Serializer):
    cart_total = serializers.IntegerField()
    added = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.ListField(child=serializers.IntegerField())
