from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "apps.cart"
    label = "cart"
    verbose_name = "购物车"

    def ready(self):
        """Answer what the users app asks about carts (extension/hooks.py)."""
        from apps.cart import services
        from apps.users.hooks import cart_size

        cart_size.connect(services.cart_size)
