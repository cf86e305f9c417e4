from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated

from apps.orders.selectors import paid_orders_of_courses
from apps.usercenter.selectors import consumption_records
from apps.usercenter.serializers import MyCourseSerializer, RecordFilterSerializer, RecordSerializer
from apps.users.selectors import owned_courses


class MyCourseListView(ListAPIView):
    """GET /user/course/ — 我的课程: a page of the caller's courses (users), then the paid orders
    that bought them (orders), one query each whatever the page size."""

    permission_classes = [IsAuthenticated]
    serializer_class = MyCourseSerializer

    @extend_schema(summary="我的课程（最新购买在前）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return owned_courses(user_id=self.request.user.id)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        orders = paid_orders_of_courses(user_id=request.user.id, course_ids=[owned.course_id for owned in page])
        serializer = self.get_serializer(
            page, many=True, context={**self.get_serializer_context(), "paid_orders": orders}
        )
        return self.get_paginated_response(serializer.data)


class RecordListView(ListAPIView):
    """GET /user/records/?kind= — 我的消费记录: payments, refunds and top-ups, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = RecordSerializer

    @extend_schema(summary="我的消费记录（支付、退款、充值，最新在前）", parameters=[RecordFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = RecordFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return consumption_records(user_id=self.request.user.id, kind=params.validated_data.get("kind") or None)
