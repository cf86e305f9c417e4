from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.course.serializers import cover_url, cover_url_of
from apps.orders.models import Order, OrderDetail
from extension.money import money_text

MAX_ID = 2**63 - 1


class OrderCreateSerializer(serializers.Serializer):
    pay_type = serializers.ChoiceField(choices=Order.PayType.choices, default=Order.PayType.ALIPAY)
    user_coupon_id = serializers.IntegerField(min_value=-1, max_value=MAX_ID, default=-1)
    credit = serializers.IntegerField(min_value=0, max_value=MAX_ID, default=0)

    def validate_pay_type(self, value):
        """Alipay or the balance (paid at once); WeChat cannot collect money: an order nobody can
        pay would only time out."""
        if value not in (Order.PayType.ALIPAY, Order.PayType.BALANCE):
            raise serializers.ValidationError("暂只支持支付宝或余额支付")
        return value


class OrderCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField()
    order_timeout = serializers.IntegerField()
    order_status = serializers.IntegerField()


FILTER_PARAMS = ("status", "order_number", "start", "end")


@extend_schema_field({"type": "integer", "enum": [-1, *Order.Status.values], "description": "-1 或不传：全部"})
class StatusFilterField(serializers.CharField):
    """Read leniently (anything but 0–3 means all), documented as the integer the client sends."""


class OrderListFilterSerializer(serializers.Serializer):
    """`status` 0–4 filters and anything else means all (as the client sends -1); `start`/`end`
    are inclusive days in Asia/Shanghai; `order_number` matches exactly or as a prefix."""

    status = StatusFilterField(required=False, allow_blank=True)
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


def order_list_filters(query_params) -> dict:
    """The listing's filters as `order_list` takes them; none given (the usual request) skips the
    validation serializer."""
    if not any(name in query_params for name in FILTER_PARAMS):
        return {}
    params = OrderListFilterSerializer(data=query_params)
    params.is_valid(raise_exception=True)
    filters = params.validated_data
    return {name: filters.get(name) for name in ("status", "order_number", "created_from", "created_before")}


# --- the order listing ---------------------------------------------------------------------
# `order_list_items` builds the answer from plain rows (bench/RESULTS.md: DRF serializers took a
# quarter of a size=5 request); the serializers below document that answer in the OpenAPI schema,
# and test_order_list_items_equal_the_serializers keeps the two field for field the same.

STATUS_LABELS = dict(Order.Status.choices)


def order_list_items(orders: list[dict], request) -> list[dict]:
    """The listing's JSON for a page of `OrderRows`."""
    covers = {}  # cover file name -> absolute URL: a page repeats the same few courses

    def cover(name):
        if name not in covers:
            covers[name] = cover_url_of(name, request)
        return covers[name]

    expire_after = timedelta(seconds=settings.ORDER_TIMEOUT)
    tz = timezone.get_current_timezone()  # once a page, not once a time
    return [
        {
            "id": order["id"],
            "order_number": order["order_number"],
            "total_price": money_text(order["total_price"]),
            "real_price": money_text(order["real_price"]),
            "pay_time": _local_time(order["pay_time"], tz),
            "created_time": _local_time(order["created_time"], tz),
            "credit": order["credit"],
            "coupon": _coupon_item(order),
            "pay_type": order["pay_type"],
            "order_status": order["order_status"],
            "order_courses": [
                {
                    "id": detail["id"],
                    "price": money_text(detail["price"]),
                    "real_price": money_text(detail["real_price"]),
                    "discount_name": detail["discount_name"],
                    "course_id": detail["course_id"],
                    "course_name": detail["name"],
                    "course_cover": cover(detail["course_cover"]),
                }
                for detail in order["order_courses"]
            ],
            "get_order_status_display": str(STATUS_LABELS.get(order["order_status"], order["order_status"])),
            "credit_discount": money_text(order["credit_discount"]),
            "coupon_discount": money_text(order["coupon_discount"]),
            "expire_time": (
                _local_time(order["created_time"] + expire_after, tz)
                if order["order_status"] == Order.Status.UNPAID
                else None
            ),
        }
        for order in orders
    ]


def _coupon_item(order: dict) -> dict:
    if order["user_coupon_id"] is None:
        return {}
    return {
        "id": order["coupon__id"],
        "name": order["coupon__name"],
        "sale": order["coupon__sale"],
        "discount": order["coupon__discount"],
        "condition": money_text(order["coupon__condition"]),
    }


def _local_time(value: datetime | None, tz) -> str | None:
    """As DRF's DateTimeField writes it: ISO 8601 in the current time zone `tz` ("Z" for UTC)."""
    if value is None:
        return None
    text = timezone.localtime(value, tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


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


# one order of the listing, for the schema only (the view answers with `order_list_items`, and
# the test keeps the two the same); no docstring: it would become the schema's description
class OrderListSchemaSerializer(serializers.ModelSerializer):
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
