from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.mixins import ListModelMixin

from apps.cart.services import selected_courses
from apps.coupon.selectors import my_coupon_records
from apps.coupon.serializers import (
    CouponRecordSerializer,
    EnableCouponsSerializer,
    MineFilterSerializer,
    MyCouponSerializer,
)
from apps.coupon.services import enable_coupons, user_coupons
from apps.users.selectors import max_usable_credit
from extension.money import ZERO
from extension.pagination import StandardPagination
from extension.response import APIResponse
from extension.viewsets import APIViewSet


class CouponViewSet(APIViewSet):
    """The caller's usable coupons (routes in apps/coupon/urls.py)."""

    @extend_schema(summary="我的优惠券（可用的）", responses=CouponRecordSerializer(many=True))
    def list(self, request):
        """GET /coupon/ — the caller's available coupons."""
        return APIResponse(user_coupons(request.user.id))

    @extend_schema(summary="结算页可用的优惠券与积分", responses=EnableCouponsSerializer)
    @action(detail=False, methods=["get"])
    def enable(self, request):
        """GET /coupon/enable/ — what the checkout page offers: credit and the coupons usable on the
        selected cart lines."""
        courses = selected_courses(user_id=request.user.id)
        credit = request.user.credit
        data = {
            "has_credit": credit,
            "credit_to_money": settings.CREDIT_TO_MONEY,
            "max_credit": max_usable_credit(
                balance=credit,
                course_credit=sum(course.credit for course in courses),
                to_pay=sum((course.real_price for course in courses), ZERO),
            ),
            "coupon_list": enable_coupons(request.user.id, courses, credit_balance=credit),
        }
        return APIResponse(data)


@extend_schema_view(
    list=extend_schema(summary="我的优惠券（可用 / 已使用 / 已过期）", parameters=[MineFilterSerializer])
)
class MyCouponViewSet(ListModelMixin, APIViewSet):
    """GET /coupon/mine/?status=usable|used|expired — 我的优惠券 from the database, one tab a call."""

    pagination_class = StandardPagination
    serializer_class = MyCouponSerializer

    def get_queryset(self):
        status = self.validated(MineFilterSerializer, self.request.query_params)["status"]
        return my_coupon_records(user_id=self.request.user.id, status=status)
