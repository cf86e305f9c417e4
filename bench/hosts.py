# ruff: noqa: E402
"""Two API hosts and two worker hosts on one database, Redis and broker; one of each killed mid-run.

    python -m bench.hosts [--users 20] [--seconds 60] [--kill-after 20] [--order-timeout 20]

Each "host" is a process group of its own (`start_new_session`), as a machine would be: API host A
and B are gunicorn (2 workers x 2 threads) on ports 8211 and 8212; worker host A is a Celery worker
plus beat (the sweep every `--sweep-interval` s), worker host B a Celery worker. All share the
database of DATABASE_URL (a bench database: its name must contain "bench"), the Redis of REDIS_URL
(its bench databases, bench/settings.py) and the broker: CELERY_BROKER_URL when given (an amqp://
URL: give it a vhost of its own), else the bench Redis.

Load: `--users` `bench_buyer_*` users from the 21st on (bench.dataset --buyers 40), one thread
each, do the create_cancel
cycle (two cart adds, an order with 10 credit and every other time the user's coupon) and then
cancel it, or pay it (every 6th: Alipay's signed notify, as the local sandbox signs it, POSTed to
an API host), or leave it unpaid to time out (every 6th, offset by 3). Client-side failover: a
request that meets a connection error (refused, reset, timed out) is sent to the other host, once;
it fails only when both do. At `--kill-after` s API host A and worker host B are SIGKILLed (the
whole group). After the load the script waits (bounded) until no order of the run is unpaid, then
checks: every order in exactly one final state (paid, cancelled, timed out), each user's credit =
before - credit of its paid orders, one SPEND line per order and one REFUND line per cancelled or
timed-out order (none for a paid one), coupon records used only by paid orders and none left
bound, every overdue order timed out exactly once. Everything it started is killed at the end.
"""

import argparse
import http.client
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict
from decimal import Decimal

os.environ.setdefault("ALIPAY_SANDBOX", "1")  # the driver signs notifies as the local sandbox does
os.environ.setdefault("ALIPAY_APP_ID", "")

from bench.common import ROOT, log_file, setup_django

setup_django()

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from apps.coupon.models import CouponLog
from apps.course.models import Course
from apps.orders.models import Order
from apps.payments.gateway import format_alipay_time
from apps.payments.models import Payment
from apps.payments.sandbox import SANDBOX_BUYER_ID, SANDBOX_SELLER_ID, get_sandbox_gateway
from apps.users.models import Credit, User
from apps.users.selectors import owned_course_ids
from apps.users.tokens import token_pair

API_PORTS = (8211, 8212)
FIRST_BUYER = 20  # bench_buyer_0..19 are create_cancel's
CREDIT = 10
CONNECTION_ERRORS = (ConnectionError, socket.timeout, http.client.HTTPException, urllib.error.URLError)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kill-after", type=float, default=20)
    parser.add_argument("--order-timeout", type=int, default=20)
    parser.add_argument("--sweep-interval", type=float, default=5)
    parser.add_argument("--settle-seconds", type=float, default=180, help="the most to wait for time-outs")
    args = parser.parse_args(argv)
    if "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("DATABASE_URL must name a bench database")
    report = run(args)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0 if report["check"]["ok"] else 1


class Host:
    """One host: a process group of its own, killed as a whole."""

    def __init__(self, name: str, commands: list[list[str]], env: dict):
        self.name = name
        script = " & ".join(shlex.join(command) for command in commands) + " & wait"
        with log_file(f"hosts-{name}.log") as log:
            self.process = subprocess.Popen(
                ["sh", "-c", script], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.pgid = self.process.pid  # a new session: its leader's pid is the group's id

    def kill(self) -> None:
        try:
            os.killpg(self.pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


class Client:
    """One user's client of both API hosts: a connection error sends the request to the other."""

    def __init__(self, token: str, stats: Counter, lock: threading.Lock, first: int):
        self.token, self.stats, self.lock, self.current = token, stats, lock, first

    def call(self, method: str, path: str, body: dict | None = None, form: dict | None = None) -> tuple[int, object]:
        for attempt in range(2):
            base = f"http://127.0.0.1:{API_PORTS[self.current]}"
            if form is not None:
                data, kind = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
            else:
                data, kind = (json.dumps(body).encode() if body is not None else None), "application/json"
            request = urllib.request.Request(base + path, data=data, method=method)
            request.add_header("Authorization", f"jwt {self.token}")
            request.add_header("Content-Type", kind)
            try:
                with urllib.request.urlopen(request, timeout=20) as answer:
                    return answer.status, _decode(answer.read())
            except urllib.error.HTTPError as error:
                return error.code, _decode(error.read())
            except CONNECTION_ERRORS:
                with self.lock:
                    self.stats["failovers" if attempt == 0 else "failed_both_hosts"] += 1
                self.current = 1 - self.current
        return 0, None


def _decode(raw: bytes):
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return raw.decode(errors="replace")


def signed_notify(order_number: str, amount: Decimal) -> dict:
    """What Alipay POSTs once the buyer paid, signed with the local sandbox's Alipay key."""
    sandbox = get_sandbox_gateway()
    now = format_alipay_time(timezone.now())
    fields = {
        "app_id": sandbox.app_id, "auth_app_id": sandbox.app_id, "charset": "utf-8", "version": "1.0",
        "out_trade_no": order_number, "trade_no": f"SANDBOX{order_number}", "total_amount": f"{amount:.2f}",
        "seller_id": settings.ALIPAY_SELLER_ID or SANDBOX_SELLER_ID, "notify_type": "trade_status_sync",
        "notify_id": uuid.uuid4().hex, "notify_time": now, "gmt_create": now, "gmt_payment": now,
        "trade_status": "TRADE_SUCCESS", "buyer_id": SANDBOX_BUYER_ID, "receipt_amount": f"{amount:.2f}",
    }  # fmt: skip
    return sandbox.sign_as_alipay(fields)


def run(args) -> dict:
    # buyers past create_cancel's first 20: the orders paid here make them own courses, which would
    # refuse create_cancel's cart adds (load with `python -m bench.dataset --buyers 40`)
    buyers = list(User.objects.filter(username__startswith="bench_buyer_").order_by("pk")[FIRST_BUYER:][: args.users])
    if len(buyers) < args.users:
        sys.exit(f"need {FIRST_BUYER + args.users} bench_buyer_* users: python -m bench.dataset --buyers 40")
    courses = list(Course.objects.published().order_by("pk").values_list("pk", flat=True))
    coupons = dict(CouponLog.objects.filter(user__in=buyers).values_list("user_id", "pk"))
    credit_before = {user.pk: user.credit for user in buyers}
    owned_before = {user.pk: owned_course_ids(user_id=user.pk) for user in buyers}
    started_at = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    lines_after = Credit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    connection.close()

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "ORDER_TIMEOUT": str(args.order_timeout),
           "ORDER_SWEEP_INTERVAL": str(args.sweep_interval), "PYTHONUNBUFFERED": "1"}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    gunicorn = lambda port: [sys.executable, "-m", "gunicorn", "fsapi.wsgi:application", "--bind",  # noqa: E731
                             f"127.0.0.1:{port}", "--workers", "2", "--threads", "2", "--timeout", "30",
                             "--log-level", "warning"]  # fmt: skip
    worker = lambda name: [sys.executable, "-m", "celery", "-A", "fsapi", "worker", "--concurrency", "2",  # noqa: E731
                           "--hostname", f"{name}@bench-hosts", "--loglevel", "WARNING", "--without-gossip",
                           "--without-mingle"]  # fmt: skip
    schedule = f"/tmp/fsapi-bench-hosts-beat-{os.getpid()}"
    beat = [sys.executable, "-m", "celery", "-A", "fsapi", "beat", "--loglevel", "WARNING", "-s", schedule]
    for port in API_PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                sys.exit(f"port {port} is in use: stop what listens there first")
    hosts = {}
    stats, lock = Counter(), threading.Lock()
    answers, kinds = Counter(), Counter()
    try:
        hosts["api-a"] = Host("api-a", [gunicorn(API_PORTS[0])], env)
        hosts["api-b"] = Host("api-b", [gunicorn(API_PORTS[1])], env)
        hosts["worker-a"] = Host("worker-a", [worker("worker-a"), beat], env)
        hosts["worker-b"] = Host("worker-b", [worker("worker-b")], env)
        for port in API_PORTS:
            _wait_for(port)
        killed_at = {}
        began = time.monotonic()
        deadline = began + args.seconds

        def tally(key: str) -> None:
            with lock:
                answers[key] += 1

        def shop(index: int, user: User):
            client = Client(token_pair(user)[0], stats, lock, first=index % 2)
            unusable = set(owned_before[user.pk])  # owned, or in an order left to time out
            coupon_free_at = 0.0  # the coupon record is bound to an order left to time out until then
            n = 0
            while time.monotonic() < deadline:
                free = [c for c in courses if c not in unusable]
                if len(free) < 2:
                    break
                pair = free[(n % (len(free) // 2)) * 2 : (n % (len(free) // 2)) * 2 + 2]
                action = "pay" if n % 6 == 0 else "timeout" if n % 6 == 3 else "cancel"
                if len(free) < 6:
                    action = "cancel"
                n += 1
                ok = True
                for course in pair:
                    status, _ = client.call("POST", "/cart/", {"course_id": course})
                    tally(f"cart {status}")
                    ok &= status == 200
                use_coupon = n % 2 and action == "cancel" and time.monotonic() > coupon_free_at
                coupon = coupons.get(user.pk, -1) if use_coupon else -1
                status, answer = client.call(
                    "POST", "/order/", {"pay_type": 0, "user_coupon_id": coupon, "credit": CREDIT}
                )
                tally(f"create {status}")
                if status != 201:
                    if use_coupon:
                        coupon_free_at = time.monotonic() + 2 * args.order_timeout + 3 * args.sweep_interval
                    # unknown outcome (host died mid-request) or refused: never reuse these courses
                    # for a new order of this user; an order made anyway is left to time out
                    unusable.update(pair)
                    for course in pair:
                        client.call("DELETE", f"/cart/?course_id={course}")
                    continue
                order = answer["data"]
                if order["order_status"] != Order.Status.UNPAID:
                    action = "paid at once"
                with lock:
                    kinds[action] += 1
                if action == "cancel":
                    status, _ = client.call("PUT", f"/order/{order['id']}/")
                    tally(f"cancel {status}")
                    if status != 200:
                        unusable.update(pair)
                        if use_coupon:
                            coupon_free_at = time.monotonic() + 2 * args.order_timeout + 3 * args.sweep_interval
                elif action in ("timeout", "paid at once"):
                    unusable.update(pair)
                else:
                    unusable.update(pair)  # paid, or (when the notify fails) timed out
                    status, _ = client.call("GET", f"/payments/alipay/{order['order_number']}/")
                    tally(f"paylink {status}")
                    price = Order.objects.filter(pk=order["id"]).values_list("real_price", flat=True).get()
                    connection.close()
                    notify = signed_notify(order["order_number"], Decimal(price))
                    status, text = client.call("POST", "/payments/alipay/notify/", form=notify)
                    tally(f"notify {status}")

        threads = [threading.Thread(target=shop, args=(i, user)) for i, user in enumerate(buyers)]
        for thread in threads:
            thread.start()
        time.sleep(args.kill_after)
        for name in ("api-a", "worker-b"):
            hosts[name].kill()
            killed_at[name] = round(time.monotonic() - began, 1)
        for thread in threads:
            thread.join()
        load_seconds = round(time.monotonic() - began, 1)
        settle_began = time.monotonic()
        orders = Order.objects.filter(user__in=buyers, pk__gt=started_at)
        while orders.filter(order_status=Order.Status.UNPAID).exists():
            if time.monotonic() - settle_began > args.settle_seconds:
                break
            time.sleep(1)
        settle_seconds = round(time.monotonic() - settle_began, 1)
        time.sleep(2 * args.sweep_interval)  # a duplicate time-out, if any, would land now
    finally:
        for host in hosts.values():
            host.kill()
        for suffix in ("", ".db", ".dat", ".dir", ".bak"):
            try:
                os.unlink(schedule + suffix)
            except FileNotFoundError:
                pass
    return {
        "users": len(buyers),
        "load_seconds": load_seconds,
        "killed_at_s": killed_at,
        "broker": settings.CELERY_BROKER_URL.split("://")[0],
        "order_timeout_s": args.order_timeout,
        "orders_created": answers["create 201"],
        "orders_by_intent": dict(kinds),
        "requests_failed_over": stats["failovers"],
        "requests_failed": stats["failed_both_hosts"]
        + sum(n for key, n in answers.items() if key.split()[1].startswith("5")),
        "answers": dict(sorted(answers.items())),
        "settle_seconds": settle_seconds,
        "check": check(buyers, credit_before, started_at, lines_after),
    }


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/order/pay/status/", timeout=2).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"API host on {port} did not start") from None
            time.sleep(0.3)


def check(buyers, credit_before: dict, started_at: int, lines_after: int) -> dict:
    orders = list(
        Order.objects.filter(user__in=buyers, pk__gt=started_at).values(
            "pk", "user_id", "order_number", "order_status", "credit", "user_coupon_id"
        )
    )
    statuses = Counter(order["order_status"] for order in orders)
    lines = defaultdict(Counter)  # order number -> operation -> lines
    for operation, remark in Credit.objects.filter(user__in=buyers, pk__gt=lines_after).values_list(
        "operation", "remark"
    ):
        parts = remark.split()
        if len(parts) >= 2 and parts[0] == "订单":
            lines[parts[1]][operation] += 1
    paid_credit = defaultdict(int)
    wrong_lines = Counter()
    for order in orders:
        got = lines.get(order["order_number"], Counter())
        final = order["order_status"]
        refunds_expected = 0 if final == Order.Status.PAID else 1
        if got[Credit.Operation.SPEND] != 1:
            wrong_lines["spend"] += 1
        if got[Credit.Operation.REFUND] != refunds_expected:
            wrong_lines[f"refund in status {final}"] += 1
        if final == Order.Status.PAID:
            paid_credit[order["user_id"]] += order["credit"]
    wrong_credit = [
        user.pk
        for user in User.objects.filter(pk__in=credit_before)
        if user.credit != credit_before[user.pk] - paid_credit[user.pk]
    ]
    paid_ids = {order["pk"] for order in orders if order["order_status"] == Order.Status.PAID}
    records = CouponLog.objects.filter(user__in=buyers)
    bound_to_unpaid_or_closed = (
        records.filter(order__isnull=False).exclude(order__in=paid_ids).exclude(order__pk__lte=started_at)
    )
    used_without_paid_order = records.filter(use_status=CouponLog.UseStatus.USED).filter(
        Q(order__isnull=True) | ~Q(order__order_status=Order.Status.PAID)
    )
    timed_out = statuses.get(Order.Status.TIMEOUT, 0)
    payments = Counter(Payment.objects.filter(order__in=[o["pk"] for o in orders]).values_list("status", flat=True))
    result = {
        "statuses": {Order.Status(key).label: value for key, value in statuses.items()},
        "left_unpaid": statuses.get(Order.Status.UNPAID, 0),
        "timed_out": timed_out,
        "timed_out_with_one_refund_line": timed_out - wrong_lines[f"refund in status {Order.Status.TIMEOUT}"],
        "orders_with_wrong_ledger_lines": dict(wrong_lines),
        "users_with_wrong_credit": len(wrong_credit),
        "payments": {Payment.Status(key).label: value for key, value in payments.items()},
        "paid_orders_without_one_paid_payment": sum(
            1 for pk in paid_ids if Payment.objects.filter(order_id=pk, status=Payment.Status.PAID).count() != 1
        ),
        "coupon_records_bound_to_a_closed_order": bound_to_unpaid_or_closed.count(),
        "coupon_records_used_without_a_paid_order": used_without_paid_order.count(),
        "paid_orders_per_coupon_record_max": max(
            Counter(o["user_coupon_id"] for o in orders if o["pk"] in paid_ids and o["user_coupon_id"]).values(),
            default=0,
        ),
        "orders_without_two_details": Order.objects.filter(pk__in=[o["pk"] for o in orders])
        .annotate(n=Count("order_courses"))
        .exclude(n=2)
        .count(),
    }
    result["ok"] = (
        result["left_unpaid"] == 0
        and not wrong_lines
        and not wrong_credit
        and result["coupon_records_bound_to_a_closed_order"] == 0
        and result["coupon_records_used_without_a_paid_order"] == 0
        and result["paid_orders_per_coupon_record_max"] <= 1
        and result["orders_without_two_details"] == 0
        and result["paid_orders_without_one_paid_payment"] == 0
    )
    return result


if __name__ == "__main__":
    sys.exit(main())
