from django.templatetags.static import static
from rest_framework import serializers

from apps.course.models import Course, CourseCategory, CourseDirection

DEFAULT_COVER = "images/default_cover.png"


def cover_url(course: Course, request) -> str:
    """Absolute URL of the course's cover (a default picture when it has none)."""
    return cover_url_of(course.course_cover.name, request)


def cover_url_of(cover_name: str | None, request) -> str:
    """`cover_url` for the stored file name alone (a `.values()` row's `course_cover`)."""
    url = Course.course_cover.field.storage.url(cover_name) if cover_name else static(DEFAULT_COVER)
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
        ]

    def get_course_cover(self, course) -> str:
        return cover_url(course, self.context.get("request"))


class CourseDetailSerializer(CourseSerializer):
    class Meta(CourseSerializer.Meta):
        fields = CourseSerializer.Meta.fields + ["description"]


class CourseFilterSerializer(serializers.Serializer):
    """Query parameters of the course list; 0 (or missing) means "all", as the client sends."""

    ORDERINGS = ["id", "-id", "price", "-price", "students", "-students", "orders", "-orders"]

    direction = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False, default=0)
    category = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False, default=0)
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False, default="-id")
