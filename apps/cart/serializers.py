"""Input validation and output shapes of the cart endpoints; the rules live in `services`."""

from rest_framework import serializers
from rest_framework.fields import empty

from apps.course.serializers import DiscountSerializer, cover_url

MAX_ID = 2**63 - 1  # what a BIGINT column (and SQLite) can hold


class StrictBooleanField(serializers.BooleanField):
    """true or false only (JSON booleans, or "true"/"false" from a form): 1, 2, "yes", "abc" are
    refused, and a missing value is an error even in form data."""

    default_empty_html = empty
    default_error_messages = {"invalid": "必须是 true 或 false"}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.lower() in ("true", "false"):
            return data.lower() == "true"
        self.fail("invalid")


COURSE_ID_ERROR = "课程 id 必须是正整数"


def course_id_field():
    messages = {"invalid": COURSE_ID_ERROR, "min_value": COURSE_ID_ERROR, "max_value": "课程 id 超出范围"}
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, error_messages=messages)


class CourseIdSerializer(serializers.Serializer):
    """POST /cart/ body and DELETE /cart/?course_id= query."""

    course_id = course_id_field()


class SelectLineSerializer(serializers.Serializer):
    """PATCH /cart/ body; both fields are required."""

    course_id = course_id_field()
    selected = StrictBooleanField()

    # drf-spectacular documents every PATCH body as partial (all fields optional) by setting
    # `partial` on a copy of the serializer; this body is never partial.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value) -> None:
        pass


class SelectAllSerializer(serializers.Serializer):
    selected = StrictBooleanField()


class CartTotalSerializer(serializers.Serializer):
    cart_total = serializers.IntegerField()


class CartLineSerializer(serializers.Serializer):
    """A `services.CartLine`: its course's fields and whether the line is ticked."""

    id = serializers.IntegerField(source="course.id")
    name = serializers.CharField(source="course.name")
    course_cover = serializers.SerializerMethodField()
    price = serializers.DecimalField(source="course.price", max_digits=10, decimal_places=2)
    real_price = serializers.DecimalField(source="course.real_price", max_digits=10, decimal_places=2)
    credit = serializers.IntegerField(source="course.credit")
    discount = DiscountSerializer(source="course.discount")
    selected = serializers.BooleanField()
    unpaid_order = serializers.CharField(allow_null=True, help_text="该课程所在的待支付订单号；没有则为 null")

    def get_course_cover(self, line) -> str:
        return cover_url(line.course, self.context.get("request"))


class CheckoutSerializer(serializers.Serializer):
    """A `services.Checkout`, as GET /cart/order/ answers it."""

    course_list = CartLineSerializer(source="lines", many=True)
    total_price = serializers.DecimalField(max_digits=None, decimal_places=2)
    real_price = serializers.DecimalField(max_digits=None, decimal_places=2)
    max_credit = serializers.IntegerField()
    credit_to_money = serializers.IntegerField()
