from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from apps.course.hooks import ANONYMOUS_VIEWER, viewer_state
from apps.course.models import CourseCategory, CourseDirection
from apps.course.selectors import course_queryset, course_reviews, with_review_stats
from apps.course.serializers import (
    CategorySerializer,
    CourseDetailSerializer,
    CourseFilterSerializer,
    CourseSerializer,
    DirectionSerializer,
    ReviewInputSerializer,
    ReviewSerializer,
)
from apps.course.services import post_review
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
        queryset = with_review_stats(course_queryset())
        if params.validated_data["direction"]:
            queryset = queryset.filter(direction_id=params.validated_data["direction"])
        if params.validated_data["category"]:
            queryset = queryset.filter(category_id=params.validated_data["category"])
        return queryset.order_by(params.validated_data["ordering"], "-id")


@extend_schema(summary="课程详情")
class CourseDetailView(RetrieveAPIView):
    """GET /course/<id>/ — with a token the answer also says whether the viewer owns the course and
    which unpaid order holds it; anonymous visitors get false/null without a query more."""

    serializer_class = CourseDetailSerializer

    def get_queryset(self):
        return with_review_stats(course_queryset())

    @extend_schema(summary="课程详情（登录后附带 owned 与 unpaid_order）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        course = self.get_object()
        user = request.user
        viewer = viewer_state(user_id=user.id, course_id=course.id) if user.is_authenticated else ANONYMOUS_VIEWER
        return APIResponse(
            self.get_serializer(course, context={**self.get_serializer_context(), "viewer": viewer}).data
        )


class CourseReviewView(APIView):
    """POST /course/<id>/review/ — the owner's review: the first post creates it, later ones edit it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="评价已购买的课程（每人每门课一条，再次提交即修改）",
        request=ReviewInputSerializer,
        responses={200: ReviewSerializer, 201: ReviewSerializer},
    )
    def post(self, request, pk):
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review, created = post_review(user_id=request.user.id, course_id=pk, **data.validated_data)
        if created:
            return APIResponse(ReviewSerializer(review).data, "评价成功", status=status.HTTP_201_CREATED)
        return APIResponse(ReviewSerializer(review).data, "评价已修改")


class CourseReviewListView(ListAPIView):
    """GET /course/<id>/reviews/ — the visible reviews, newest first, paginated."""

    serializer_class = ReviewSerializer

    @extend_schema(summary="课程评价列表（最新在前）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return course_reviews(self.kwargs["pk"])
