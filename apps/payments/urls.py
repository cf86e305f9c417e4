from django.urls import path

from apps.payments import views

app_name = "payments"

urlpatterns = [
    path("alipay/result/", views.AlipayReturnViewSet.as_view({"get": "result"}), name="alipay-result"),
    path("alipay/notify/", views.AlipayNotifyViewSet.as_view({"post": "notify"}), name="alipay-notify"),
    # Alipay does not follow redirects: the notify URL works with and without the final slash
    path(
        "alipay/notify",
        views.AlipayNotifyWithoutSlashViewSet.as_view({"post": "notify"}),
        name="alipay-notify-no-slash",
    ),
    path(
        "alipay/query/<order_number:order_number>/",
        views.AlipayOrderViewSet.as_view({"get": "query"}),
        name="alipay-query",
    ),
    path("alipay/sandbox/cashier/", views.SandboxCashierView.as_view(), name="alipay-sandbox-cashier"),
    path(
        "alipay/<order_number:order_number>/",
        views.AlipayOrderViewSet.as_view({"get": "pay_link"}),
        name="alipay-pay-link",
    ),
]
