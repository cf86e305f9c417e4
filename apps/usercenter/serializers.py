"""Output shapes of the user center's cross-app lists and the validation of their queries."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.course.serializers import cover_url
from apps.usercenter.selectors import RECORD_KINDS


class MyCourseSerializer(serializers.Serializer):
    """A `UserCourse`; `order_number` and `pay_time` come from the `paid_orders` in the context
    (null for a course granted without an order)."""

    course_id = serializers.IntegerField()
    name = serializers.CharField(source="course.name")
    course_cover = serializers.SerializerMethodField()
    order_number = serializers.SerializerMethodField()
    pay_time = serializers.SerializerMethodField()

    def get_course_cover(self, owned) -> str:
        return cover_url(owned.course, self.context.get("request"))

    def _order(self, owned) -> dict:
        return self.context["paid_orders"].get(owned.course_id, {})

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_order_number(self, owned) -> str | None:
        return self._order(owned).get("order_number")

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_pay_time(self, owned) -> str | None:
        pay_time = self._order(owned).get("pay_time")
        return serializers.DateTimeField().to_representation(pay_time) if pay_time else None


class RecordFilterSerializer(serializers.Serializer):
    """GET /user/records/ query: `kind` one of payment, recharge, refund, adjust; missing or empty = all."""

    kind = serializers.ChoiceField(
        choices=RECORD_KINDS,
        required=False,
        allow_blank=True,
        help_text="payment 订单支付，recharge 余额充值，refund 退款到余额，adjust 人工调整",
        error_messages={"invalid_choice": "kind 只能是 payment、recharge、refund 或 adjust"},
    )


class RecordSerializer(serializers.Serializer):
    """A row of consumption_records. `amount` is signed: negative for money the user paid (an
    order payment), positive for money credited to them (a refund or top-up to the balance)."""

    time = serializers.DateTimeField(source="r_time")
    kind = serializers.ChoiceField(source="r_kind", choices=RECORD_KINDS)
    amount = serializers.DecimalField(source="r_amount", max_digits=10, decimal_places=2)
    channel = serializers.ChoiceField(
        source="r_channel", choices=["alipay", "balance", "wechat"], help_text="alipay 支付宝，balance 余额"
    )
    order_number = serializers.CharField(source="r_order_number", allow_null=True)
    remark = serializers.CharField(source="r_remark")
