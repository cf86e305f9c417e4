from django.urls import path

from apps.orders import views

urlpatterns = [
    path("", views.OrderCreateView.as_view(), name="order-create"),
    path("pay/status/", views.OrderPayStatusView.as_view(), name="order-pay-status"),
    path("pay/choices/", views.OrderPayStatusView.as_view(), name="order-pay-choices"),
    path("list/", views.OrderListView.as_view(), name="order-list"),
    path("<id:pk>/", views.OrderView.as_view(), name="order-detail"),
    path("<id:pk>/recover/", views.OrderRecoverView.as_view(), name="order-recover"),
]
