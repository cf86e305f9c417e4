"""The product's routes plus `bench/bare/`: the cheapest DRF view behind the same JWT auth, the
yardstick the order listing is measured against. Only the benchmark's settings use this module."""

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from extension.response import APIResponse
from fsapi.urls import handler400, handler403, handler404, handler500
from fsapi.urls import urlpatterns as product_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class BareView(APIView):
    """Authenticate (one query for the user, as every private endpoint), answer a tiny envelope."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return APIResponse({"user_id": request.user.pk})


# before the last product pattern, the web app's catch-all (extension/spa.py), which would answer it
*product_routes, spa_catch_all = product_urlpatterns
urlpatterns = [*product_routes, path("bench/bare/", BareView.as_view(), name="bench-bare"), spa_catch_all]
