from django.urls import path

from apps.coupon.views import CouponViewSet, MyCouponViewSet

urlpatterns = [
    path("", CouponViewSet.as_view({"get": "list"}), name="coupon-list"),
    path("enable/", CouponViewSet.as_view({"get": "enable"}), name="coupon-enable"),
    path("mine/", MyCouponViewSet.as_view({"get": "list"}), name="coupon-mine"),
]
