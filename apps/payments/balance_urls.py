"""/user/balance/… endpoints served by payments (a top-up is an Alipay trade); the reads of the
balance live in apps/users. Included by fsapi/urls.py before apps.users.urls."""

from django.urls import path

from apps.payments import views

urlpatterns = [
    path("recharge/", views.RechargeView.as_view(), name="balance-recharge"),
]
