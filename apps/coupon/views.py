from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

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
from extension.response import APIResponse


class CouponListView(APIView):
    """GET /coupon/ — the caller's available coupons."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="我的优惠券（可用的）", responses=CouponRecordSerializer(many=True))
    def get(self, request):
        return APIResponse(user_coupons(request.user.id))


class EnableCouponListView(APIView):
    """GET /coupon/enable/ — what the checkout page offers: credit and the coupons usable on the
    selected cart lines."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="结算页可用的优惠券与积分", responses=EnableCouponsSerializer)
    def get(self, request):
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


class MyCouponListView(ListAPIView):
    """GET /coupon/mine/?status=usable|used|expired — 我的优惠券 from the database, one tab a call."""

    permission_classes = [IsAuthenticated]
    serializer_class = MyCouponSerializer

    @extend_schema(summary="我的优惠券（可用 / 已使用 / 已过期）", parameters=[MineFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = MineFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return my_coupon_records(user_id=self.request.user.id, status=params.validated_data["status"])
