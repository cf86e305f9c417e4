from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "apps.payments"
    label = "payments"
    verbose_name = "支付"

    def ready(self):
        from apps.orders.services import register_before_timeout
        from apps.payments import checks  # noqa: F401  (registers the settings check)
        from apps.payments.reconciliation import pay_before_timeout

        # ask Alipay before an order whose pay link went out is timed out (orders < payments)
        register_before_timeout(pay_before_timeout)
