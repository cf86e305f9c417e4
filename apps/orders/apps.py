from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "apps.orders"
    label = "orders"
    verbose_name = "订单"

    def ready(self):
        """Answer the questions the cart and the catalogue ask about orders (extension/hooks.py)."""
        from apps.cart.hooks import unpaid_orders_holding
        from apps.course.hooks import viewer_state
        from apps.orders import selectors

        unpaid_orders_holding.connect(selectors.unpaid_order_numbers)
        viewer_state.connect(selectors.course_viewer_state)
