from django.urls import path

from apps.payments import views

app_name = "payments"

urlpatterns = [
    path("alipay/result/", views.AlipayResultView.as_view(), name="alipay-result"),
    path("alipay/notify/", views.AlipayNotifyView.as_view(), name="alipay-notify"),
    # Alipay does not follow redirects: the notify URL works with and without the final slash
    path("alipay/notify", views.AlipayNotifyWithoutSlashView.as_view(), name="alipay-notify-no-slash"),
    path("alipay/query/<order_number:order_number>/", views.AlipayQueryView.as_view(), name="alipay-query"),
    path("alipay/sandbox/cashier/", views.SandboxCashierView.as_view(), name="alipay-sandbox-cashier"),
    path("alipay/<order_number:order_number>/", views.AlipayPayLinkView.as_view(), name="alipay-pay-link"),
]
