from django.urls import path

from apps.coupon import views

urlpatterns = [
    path("", views.CouponListView.as_view(), name="coupon-list"),
    path("enable/", views.EnableCouponListView.as_view(), name="coupon-enable"),
    path("mine/", views.MyCouponListView.as_view(), name="coupon-mine"),
]
