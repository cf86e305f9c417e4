"""/user/balance/… endpoints served by payments (a top-up is an Alipay trade); the reads of the
balance live in apps/users. Included by fsapi/urls.py before apps.users.urls."""

from django.urls import path

from apps.payments.views import RechargeViewSet

urlpatterns = [
    path("recharge/", RechargeViewSet.as_view({"post": "create"}), name="balance-recharge"),
]
