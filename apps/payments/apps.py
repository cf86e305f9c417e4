from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "apps.payments"
    label = "payments"
    verbose_name = "支付"

    def ready(self):
        from apps.payments import checks  # noqa: F401  (registers the settings check)
