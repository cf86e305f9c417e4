"""/order/<id>/refund/ served by payments (a refund gives an Alipay trade or the balance back);
the orders app below knows nothing of it. Included by fsapi/urls.py beside apps.orders.urls."""

from django.urls import path

from apps.payments.views import OrderRefundViewSet

urlpatterns = [
    path("<id:pk>/refund/", OrderRefundViewSet.as_view({"get": "retrieve", "post": "create"}), name="order-refund"),
]
