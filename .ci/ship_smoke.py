"""The HTTP half of .ci/ship_smoke.sh: an order's life against the shipped processes.

Standard library only, run by the system python (never the venv under test, never its test
tools). Everything goes through HTTP as a TLS-terminating proxy would send it
(`X-Forwarded-Proto: https`): the settings are production's, DEBUG=0 with the https redirect on.

With `--front` (nginx with docker/nginx.conf) everything goes through it, as in compose.

1. /healthz answers 200 (database and Redis); plain http is redirected; with `--web-app` the
   Vue app answers at `/` with its assets.
2. The demo user logs in, puts a course in the cart and orders it; with ORDER_TIMEOUT a few
   seconds the order becomes 已超时 by itself — only the Celery worker (its countdown task) or
   beat (the sweep) can do that, and their logs must show the task that did.
3. Another course is ordered and paid through the local sandbox cashier: its page, then its
   支付 form (with its CSRF token), whose notify pays the order; the poll and the order list
   say 已支付 and the course is the user's.
4. With `--front`: an avatar upload is served by nginx from the media folder at /uploads/, and
   Django itself (gunicorn, DEBUG=0) does not serve it.
Exit 0 when all of it held, else 1 with what did not.
"""

import argparse
import http.cookies
import json
import re
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib

UNPAID, PAID, CANCELLED, TIMEOUT = 0, 1, 2, 3
DEMO = {"username": "demo", "password": "demo123456"}
ALIPAY = 0  # Order.PayType


class Failed(Exception):
    pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Client:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.token = ""
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, body=None, form=None, files=None, headers=None
    ) -> tuple[int, dict, bytes]:
        url = path if path.startswith("http") else f"{self.base}{path}"
        sent = {"X-Forwarded-Proto": "https", "Accept": "application/json", **(headers or {})}
        data = None
        if files is not None:
            data, sent["Content-Type"] = multipart(files)
        elif body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.token:
            sent["Authorization"] = f"jwt {self.token}"
        if self.cookies:
            # the cookies are Secure (DEBUG=0): a browser behind https sends them, so do we
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        req = urllib.request.Request(url, data=data, method=method, headers=sent)
        try:
            with OPENER.open(req, timeout=30) as response:
                status, answer_headers, content = response.status, dict(response.headers), response.read()
                raw_cookies = response.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as exc:
            status, answer_headers, content = exc.code, dict(exc.headers), exc.read()
            raw_cookies = exc.headers.get_all("Set-Cookie") or []
        for raw in raw_cookies:
            jar = http.cookies.SimpleCookie()
            jar.load(raw)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        return status, answer_headers, content

    def api(self, method: str, path: str, body=None, *, expect: int = 200):
        status, _, content = self.request(method, path, body=body)
        try:
            answer = json.loads(content)
        except ValueError:
            raise Failed(f"{method} {path}: {status}, not JSON: {content[:300]!r}") from None
        if status != expect:
            raise Failed(f"{method} {path}: {status} (expected {expect}): {answer}")
        return answer


def multipart(files: dict[str, tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body of {field: (file name, content type, bytes)}."""
    boundary = uuid.uuid4().hex
    parts = []
    for field, (name, content_type, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def png(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG (red pixels), made with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def wait_for(what: str, probe, *, deadline: float, every: float = 0.5):
    """probe() until it returns something truthy, at most until `deadline` (time.monotonic())."""
    last = None
    while True:
        try:
            last = probe()
            if last:
                return last
        except (OSError, Failed) as exc:
            last = exc
        if time.monotonic() > deadline:
            raise Failed(f"timed out waiting for {what} (last: {last!r})")
        time.sleep(every)


def order_status(client: Client, order_id: int) -> int | None:
    answer = client.api("GET", "/order/list/?size=50")
    for order in answer["data"]["results"]:
        if order["id"] == order_id:
            return order["order_status"]
    return None


def place_order(client: Client, candidates: list[int]) -> tuple[int, dict]:
    """Order the first candidate course the demo user may buy: (course id, the created order).
    A course it owns already is refused at checkout (400/409): take it out and try the next."""
    refusals = []
    while candidates:
        course_id = candidates.pop(0)
        status, _, content = client.request("POST", "/cart/", body={"course_id": course_id})
        if status != 200:
            continue
        checkout = client.api("GET", "/cart/order/")["data"]
        if [line["id"] for line in checkout["course_list"]] != [course_id]:
            raise Failed(f"the checkout does not show exactly course {course_id}: {checkout}")
        status, _, content = client.request("POST", "/order/", body={"pay_type": ALIPAY})
        if status == 201:
            return course_id, json.loads(content)["data"]
        if status not in (400, 409):
            raise Failed(f"POST /order/: {status} {content[:300]!r}")
        refusals.append(f"course {course_id}: {status} {content.decode(errors='replace')[:200]}")
        client.api("DELETE", f"/cart/?course_id={course_id}")
    raise Failed(f"no course of the demo catalogue could be ordered: {refusals}")


def log_has(path: str, pattern: str) -> bool:
    with open(path, encoding="utf-8", errors="replace") as log:
        return re.search(pattern, log.read()) is not None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--order-timeout", type=float, required=True)
    parser.add_argument("--worker-log", required=True)
    parser.add_argument("--beat-log", required=True)
    parser.add_argument("--front", help="nginx in front of --base: every request goes through it")
    parser.add_argument("--web-app", action="store_true", help="the Vue app was built: check /")
    args = parser.parse_args()
    client = Client(args.front or args.base)
    direct = Client(args.base)
    started = time.monotonic()

    def step(message: str) -> None:
        print(f"  [{time.monotonic() - started:5.1f}s] {message}", flush=True)

    # 1. up and healthy
    wait_for(
        "/healthz to answer 200",
        lambda: client.request("GET", "/healthz")[0] == 200,
        deadline=time.monotonic() + 90,
    )
    answer = client.api("GET", "/healthz")
    if answer["data"] != {"database": "ok", "redis": "ok"}:
        raise Failed(f"/healthz: {answer}")
    step(f"/healthz 200 {answer['data']}")
    status, headers, _ = client.request("GET", "/course/", headers={"X-Forwarded-Proto": "http"})
    if status != 301 or not headers.get("Location", "").startswith("https://"):
        raise Failed(f"plain http is not redirected to https (DEBUG=0): {status} {headers.get('Location')}")
    step(f"plain http → 301 https (production settings){' through nginx' if args.front else ''}")
    if args.web_app:
        status, headers, page = client.request("GET", "/user/order", headers={"Accept": "text/html"})
        page = page.decode("utf-8", errors="replace")
        if status != 200 or '<div id="app">' not in page:
            raise Failed(f"the web app is not served at its routes: {status} {page[:300]!r}")
        asset = re.search(r'src="(/assets/[^"]+\.js)"', page)
        if asset is None:
            raise Failed(f"the web app's index names no script: {page[:500]!r}")
        status, headers, _ = client.request("GET", asset.group(1), headers={"Accept": "*/*"})
        if status != 200 or "immutable" not in headers.get("Cache-Control", ""):
            raise Failed(f"{asset.group(1)}: {status} {headers.get('Cache-Control')}")
        step(f"the Vue app at / (a route and {asset.group(1)}, cached for good)")

    # 2. log in, order, time out through the worker/beat
    login = client.api("POST", "/user/login/", DEMO)
    client.token = login["token"]
    step(f"logged in as demo (user {login['user_id']}, credit {login['credit']})")
    candidates = [course["id"] for course in client.api("GET", "/course/?size=50")["data"]["results"]]
    first, created = place_order(client, candidates)
    step(f"order {created['order_number']} created (course {first}), ORDER_TIMEOUT {args.order_timeout:g} s")
    if order_status(client, created["id"]) != UNPAID:
        raise Failed("a new order is not unpaid")
    wait_for(
        "the order to time out by itself",
        lambda: order_status(client, created["id"]) == TIMEOUT,
        deadline=time.monotonic() + args.order_timeout + 90,
    )
    step("the order is 已超时")
    # apps.orders.services logs the transition in the process that made it: the worker's
    if not log_has(args.worker_log, rf"order {created['order_number']} timed out"):
        raise Failed(f"the worker's log does not say that it timed out order {created['order_number']}")
    if not log_has(args.worker_log, r"Task (order_timeout|expire_overdue_orders)\[[^\]]+\] succeeded"):
        raise Failed("the worker's log shows no order_timeout / expire_overdue_orders task that succeeded")
    wait_for(
        "beat to send its sweep",
        lambda: log_has(args.beat_log, r"Sending due task expire-overdue-orders"),
        deadline=time.monotonic() + 30,
    )
    step("worker log: it timed the order out; beat log: the sweep was sent")

    # 3. order another course and pay it through the sandbox cashier
    second, created = place_order(client, candidates)
    step(f"order {created['order_number']} created (course {second})")
    link = client.api("GET", f"/payments/alipay/{created['order_number']}/")["data"]["link"]
    parts = urllib.parse.urlsplit(link)
    cashier = f"{parts.path}?{parts.query}"
    status, _, page = client.request("GET", cashier, headers={"Accept": "text/html"})
    page = page.decode("utf-8", errors="replace")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or token is None:
        raise Failed(f"the sandbox cashier page: {status} {page[:500]}")
    origin = f"https://{parts.netloc or urllib.parse.urlsplit(args.base).netloc}"
    status, headers, page = client.request(
        "POST",
        cashier,
        form={"csrfmiddlewaretoken": token.group(1)},
        headers={"Accept": "text/html", "Origin": origin, "Referer": f"{origin}{cashier}"},
    )
    if status != 302 or "trade_no=" not in headers.get("Location", ""):
        raise Failed(f"the cashier's 支付: {status} {headers.get('Location')} {page[:500]!r}")
    step("sandbox cashier: 支付 → redirected to the return URL")
    poll = client.api("GET", f"/payments/alipay/query/{created['order_number']}/")["data"]
    if poll["order_status"] != PAID or order_status(client, created["id"]) != PAID:
        raise Failed(f"the paid order is not 已支付: {poll}")
    detail = client.api("GET", f"/course/{second}/")["data"]
    step(f"the order is 已支付 (poll and order list); course {second}: {detail.get('name', '?')}")

    # 4. uploads: nginx serves them from the shared folder, Django does not
    if args.front:
        image = png()
        answer = client.request("PATCH", "/user/info/", files={"avatar": ("avatar.png", "image/png", image)})
        if answer[0] != 200:
            raise Failed(f"PATCH /user/info/ (avatar): {answer[0]} {answer[2][:300]!r}")
        avatar = urllib.parse.urlsplit(json.loads(answer[2])["data"]["avatar"]).path
        if not avatar.startswith("/uploads/"):
            raise Failed(f"the avatar's URL is not under /uploads/: {avatar}")
        status, headers, content = client.request("GET", avatar, headers={"Accept": "image/*"})
        if status != 200 or content != image or headers.get("X-Content-Type-Options") != "nosniff":
            raise Failed(f"nginx does not serve the upload {avatar}: {status} {headers}")
        status, _, _ = direct.request("GET", avatar, headers={"Accept": "image/*"})
        if status != 404:
            raise Failed(f"Django serves uploads with DEBUG=0 (SERVE_MEDIA should be off): {avatar} → {status}")
        step(f"avatar {avatar}: served by nginx, 404 from Django")
    step("ok")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failed as exc:
        print(f"ship smoke FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
