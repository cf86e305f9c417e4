from django.urls import path

from apps.orders.views import OrderStatusViewSet, OrderViewSet

order_statuses = OrderStatusViewSet.as_view({"get": "statuses"})

urlpatterns = [
    path("", OrderViewSet.as_view({"post": "create"}), name="order-create"),
    path("pay/status/", order_statuses, name="order-pay-status"),
    path("pay/choices/", order_statuses, name="order-pay-choices"),
    path("list/", OrderViewSet.as_view({"get": "list"}), name="order-list"),
    path("<id:pk>/", OrderViewSet.as_view({"put": "cancel", "delete": "destroy"}), name="order-detail"),
    path("<id:pk>/recover/", OrderViewSet.as_view({"post": "recover"}), name="order-recover"),
]
