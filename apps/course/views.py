from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.views import APIView

from apps.course.models import CourseCategory, CourseDirection
from apps.course.selectors import course_queryset
from apps.course.serializers import (
    CategorySerializer,
    CourseDetailSerializer,
    CourseFilterSerializer,
    CourseSerializer,
    DirectionSerializer,
)
from extension.response import APIResponse


class DirectionListView(APIView):
    @extend_schema(summary="学习方向列表", responses=DirectionSerializer(many=True))
    def get(self, request):
        directions = CourseDirection.objects.published()
        return APIResponse(DirectionSerializer(directions, many=True).data)


class CategoryListView(APIView):
    @extend_schema(
        summary="课程分类列表（可按学习方向筛选）",
        parameters=[OpenApiParameter("direction", int, description="学习方向 id；0 或不传表示全部")],
        responses=CategorySerializer(many=True),
    )
    def get(self, request):
        params = CourseFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        categories = CourseCategory.objects.published().filter(direction__is_show=True, direction__is_deleted=False)
        if params.validated_data["direction"]:
            categories = categories.filter(direction_id=params.validated_data["direction"])
        return APIResponse(CategorySerializer(categories, many=True).data)


@extend_schema(summary="课程列表（按方向、分类筛选，可排序、分页）", parameters=[CourseFilterSerializer])
class CourseListView(ListAPIView):
    serializer_class = CourseSerializer

    def get_queryset(self):
        params = CourseFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        queryset = course_queryset()
        if params.validated_data["direction"]:
            queryset = queryset.filter(direction_id=params.validated_data["direction"])
        if params.validated_data["category"]:
            queryset = queryset.filter(category_id=params.validated_data["category"])
        return queryset.order_by(params.validated_data["ordering"], "-id")


@extend_schema(summary="课程详情")
class CourseDetailView(RetrieveAPIView):
    serializer_class = CourseDetailSerializer

    def get_queryset(self):
        return course_queryset()

    def retrieve(self, request, *args, **kwargs):
        return APIResponse(self.get_serializer(self.get_object()).data)
