import functools
from decimal import ROUND_HALF_UP, Decimal

from django.templatetags.static import static
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.course.hooks import ANONYMOUS_VIEWER
from apps.course.models import Course, CourseCategory, CourseDirection, CourseReview

DEFAULT_COVER = "images/default_cover.png"


def cover_url(course: Course, request) -> str:
    """Absolute URL of the course's cover (a default picture when it has none)."""
    return cover_url_of(course.course_cover.name, request)


@functools.cache
def default_cover_url() -> str:
    """The default picture's static URL: fixed for a process's life (the static files' manifest
    is read once), and asked for by every listed course without a cover."""
    return static(DEFAULT_COVER)


def cover_url_of(cover_name: str | None, request) -> str:
    """`cover_url` for the stored file name alone (a `.values()` row's `course_cover`)."""
    url = Course.course_cover.field.storage.url(cover_name) if cover_name else default_cover_url()
    return request.build_absolute_uri(url) if request is not None else url


class DirectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CourseDirection
        fields = ["id", "name"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = CourseCategory
        fields = ["id", "name", "direction"]


class DiscountSerializer(serializers.Serializer):
    type = serializers.CharField(required=False)
    price = serializers.CharField(required=False)
    expire = serializers.IntegerField(required=False)


class CourseSerializer(serializers.ModelSerializer):
    course_cover = serializers.SerializerMethodField()
    discount = DiscountSerializer(read_only=True)
    real_price = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)
    direction = serializers.IntegerField(source="direction_id", read_only=True)
    category = serializers.IntegerField(source="category_id", read_only=True)
    direction_name = serializers.CharField(source="direction.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    score = serializers.SerializerMethodField(help_text="可见评价的平均分（一位小数）；没有评价时为 null")
    review_count = serializers.IntegerField(read_only=True, help_text="可见评价的数量")

    class Meta:
        model = Course
        fields = [
            "id",
            "name",
            "course_cover",
            "price",
            "real_price",
            "discount",
            "credit",
            "students",
            "lessons",
            "direction",
            "direction_name",
            "category",
            "category_name",
            "score",
            "review_count",
        ]

    def get_course_cover(self, course) -> str:
        return cover_url(course, self.context.get("request"))

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_score(self, course) -> float | None:
        return one_decimal(course.review_score)


def one_decimal(average) -> float | None:
    """An average score rounded half up to one decimal (4.25 → 4.3), None when there is none."""
    if average is None:
        return None
    return float(Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


class CourseDetailSerializer(CourseSerializer):
    """A course's page; `owned` and `unpaid_order` come from the `viewer` in the context (false and
    null for an anonymous visitor, whose answer then depends on nothing but the course)."""

    owned = serializers.SerializerMethodField(help_text="当前用户是否已拥有该课程；未登录为 false")
    unpaid_order = serializers.SerializerMethodField(help_text="课程所在的待支付订单号；没有或未登录为 null")

    class Meta(CourseSerializer.Meta):
        fields = CourseSerializer.Meta.fields + ["description", "owned", "unpaid_order"]

    def get_owned(self, course) -> bool:
        return self.context.get("viewer", ANONYMOUS_VIEWER)["owned"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_unpaid_order(self, course) -> str | None:
        return self.context.get("viewer", ANONYMOUS_VIEWER)["unpaid_order"]


class ReviewInputSerializer(serializers.Serializer):
    """POST /course/<id>/review/ body."""

    score = serializers.IntegerField(
        min_value=1,
        max_value=5,
        error_messages={
            "min_value": "评分必须是 1 到 5 的整数",
            "max_value": "评分必须是 1 到 5 的整数",
            "invalid": "评分必须是 1 到 5 的整数",
        },
    )
    content = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"max_length": "评价内容不能超过 500 字"},
    )


class ReviewSerializer(serializers.ModelSerializer):
    """A review as the course page lists it."""

    nickname = serializers.SerializerMethodField()
    avatar = serializers.SerializerMethodField()

    class Meta:
        model = CourseReview
        fields = ["id", "nickname", "avatar", "score", "content", "created_time"]

    def get_nickname(self, review) -> str:
        return review.user.nickname or "匿名学员"

    def get_avatar(self, review) -> str:
        return review.user.avatar_url


class CourseFilterSerializer(serializers.Serializer):
    """Query parameters of the course list; 0 (or missing) means "all", as the client sends."""

    ORDERINGS = ["id", "-id", "price", "-price", "students", "-students", "orders", "-orders"]

    direction = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False, default=0)
    category = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False, default=0)
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False, default="-id")
