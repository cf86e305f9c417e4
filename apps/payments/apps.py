from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "apps.payments"
    label = "payments"
    verbose_name = "支付"

    def ready(self):
        """Listen to what the orders app tells (apps/orders/hooks.py; orders < payments)."""
        from apps.orders.hooks import before_timeout, orders_left_unpaid
        from apps.payments import checks  # noqa: F401  (registers the settings check)
        from apps.payments.reconciliation import pay_before_timeout
        from apps.payments.services import close_trades_of

        # ask Alipay before an order whose pay link went out is timed out
        before_timeout.connect(pay_before_timeout)
        # close the Alipay trades of orders that left "unpaid" (after their commit)
        orders_left_unpaid.connect(close_trades_of)
