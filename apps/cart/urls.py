from django.urls import path

from apps.cart.views import CartViewSet

cart = {"get": "list", "post": "add", "patch": "select", "put": "select_all", "delete": "remove"}

urlpatterns = [
    path("", CartViewSet.as_view(cart), name="cart"),
    path("order/", CartViewSet.as_view({"get": "checkout"}), name="cart-checkout"),
]
