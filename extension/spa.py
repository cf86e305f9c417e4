"""The Vue app (web/dist) served at `/`, on the same origin as the API.

WhiteNoise serves the built files (`WHITENOISE_ROOT = WEB_DIST`: /index.html, /assets/…, /favicon.svg).
This catch-all, the last URL pattern, answers the app's own routes (/user, /user/order, /project/1,
/cart, /order, /alipay, /login) with index.html, so a reload or a shared link works.

It can never shadow the API: it only runs when no API pattern matched, and only a browser
navigation (GET/HEAD whose Accept names text/html, to a path without a file extension) gets the
page. Anything else gets what Django would answer without it: a redirect to the same path with a
slash when that is an API path (`GET /course` → `/course/`, as APPEND_SLASH does), else the 404
envelope. So `/cart` in the address bar is the cart page while `GET /cart/` from axios is the cart
API; the one overlap left is a browser typing an API path *with* its slash, which shows the API.
"""

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from extension.response import envelope
from extension.views import page_not_found

# every path except the server's own pages and files (those keep Django's answers, APPEND_SLASH
# included: /admin → /admin/)
SPA_PATTERN = r"^(?!(?:api|admin|static|uploads|payments)(?:/|$)|healthz)(?P<path>.*)$"

NOT_BUILT_HTML = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>飞升在线教育</title></head>
<body style="font-family:sans-serif;max-width:640px;margin:60px auto;line-height:1.6">
<h1>The web app is not built</h1>
<p>The API is running, but <code>web/dist</code> is missing. Build the Vue app with
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>
(or start everything with <code>python3 dev.py run</code>).</p>
<p>API docs: <a href="/api/docs/">/api/docs/</a> · admin: <a href="/admin/">/admin/</a> ·
health: <a href="/healthz">/healthz</a></p>
</body></html>"""


def index_file() -> Path:
    return Path(settings.WEB_DIST) / "index.html"


def wants_html(request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


def looks_like_file(path: str) -> bool:
    return "." in path.rstrip("/").rsplit("/", 1)[-1]


def is_api_path(path: str) -> bool:
    """True when `path` is answered by a view other than this one."""
    try:
        return resolve(path).func is not spa_index
    except Resolver404:
        return False


@csrf_exempt  # it changes nothing; without this a POST/PUT/DELETE to no route got the CSRF page
def spa_index(request, path: str = ""):
    if request.method not in ("GET", "HEAD"):
        return page_not_found(request)
    if path and (not wants_html(request) or looks_like_file(path)):
        slashed = request.path_info + "/"
        if not request.path_info.endswith("/") and is_api_path(slashed):
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
        return page_not_found(request)
    index = index_file()
    if not index.is_file():
        return not_built(request)
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # the page names the hashed assets of the current build
    return response


def not_built(request):
    if wants_html(request):
        return HttpResponse(NOT_BUILT_HTML, content_type="text/html; charset=utf-8")
    message = "web app not built: run `npm ci && npm run build` in web/ (API docs at /api/docs/)"
    return JsonResponse(envelope(None, message, 200), json_dumps_params={"ensure_ascii": False})
