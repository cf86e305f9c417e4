from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path, register_converter
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from extension.converters import IdConverter, OrderNumberConverter
from extension.health import HealthView
from extension.metrics import metrics_view
from extension.spa import SPA_PATTERN, spa_index

register_converter(IdConverter, "id")
register_converter(OrderNumberConverter, "order_number")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("user/balance/", include("apps.payments.balance_urls")),  # top-ups (payments)
    path("user/", include("apps.users.urls")),
    path("user/", include("apps.usercenter.urls")),
    path("course/", include("apps.course.urls")),
    path("cart/", include("apps.cart.urls")),
    path("coupon/", include("apps.coupon.urls")),
    path("order/", include("apps.orders.urls")),
    path("order/", include("apps.payments.order_urls")),  # refunds (payments)
    path("payments/", include("apps.payments.urls")),
    path("healthz", HealthView.as_view(), name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))

# last: the Vue app's own routes (/user, /user/order, /cart, /order, …) for browser navigations;
# never reached by a path an API pattern above answers (see extension/spa.py)
urlpatterns.append(re_path(SPA_PATTERN, spa_index, name="spa"))

handler400 = "extension.views.bad_request"
handler403 = "extension.views.permission_denied"
handler404 = "extension.views.page_not_found"
handler500 = "extension.views.server_error"
