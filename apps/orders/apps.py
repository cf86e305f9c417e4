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

        from django.db.models.signals import post_delete, post_save

        from apps.orders.models import Order
        from apps.orders.services import listing_changed

        def order_saved(sender, instance, created=False, **kwargs):
            listing_changed(user_ids=[instance.user_id], at_once=not created)

        # every saved order (a new one, the admin's edits) may change "my orders"' count
        post_save.connect(order_saved, sender=Order, weak=False, dispatch_uid="orders-listing-saved")
        post_delete.connect(order_saved, sender=Order, weak=False, dispatch_uid="orders-listing-deleted")
