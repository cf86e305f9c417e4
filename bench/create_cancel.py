# ruff: noqa: E402
"""Order create + cancel over HTTP under concurrent users, then the invariants.

    python -m bench.create_cancel [--users 20] [--seconds 30] [--workers 4] [--port 8006]

Each `bench_buyer_*` user is one client thread that, until the time is up, puts two courses in
its cart, orders them with 10 credit and (every other order) its one coupon record, and cancels
the order. Afterwards: every buyer's credit is back to what it was and its credit log sums to
zero with one refund line per spend, no coupon record is bound or used (a record is never held by
two live orders: the orders that used it never overlap), and every order is cancelled.
"""

import argparse
import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

from bench.common import ROOT, ServerCpu, gunicorn, setup_django

setup_django()  # before the models are imported

from django.db import connection
from django.db.models import Count, Sum

from apps.coupon.models import CouponLog
from apps.course.models import Course
from apps.orders.models import Order
from apps.users.models import Credit, User
from apps.users.tokens import token_pair

CREDIT_PER_ORDER = 10


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="gthread workers with this many threads when > 1")
    parser.add_argument("--port", type=int, default=8006)
    parser.add_argument("--warmup", type=float, default=3, help="seconds of the same load before counting")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout gunicorn serves (default: this one)")
    args = parser.parse_args(argv)
    result = run(
        users=args.users,
        seconds=args.seconds,
        workers=args.workers,
        worker_threads=args.threads,
        port=args.port,
        app_root=args.app_root,
        warmup=args.warmup,
    )
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return result


class Client:
    """One user's HTTP client (stdlib: gunicorn's sync workers close the connection anyway)."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"jwt {self.token}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


def run(
    *,
    users: int,
    seconds: float,
    workers: int,
    port: int,
    worker_threads: int = 1,
    app_root: Path = ROOT,
    warmup: float = 3,
) -> dict:
    buyers = list(User.objects.filter(username__startswith="bench_buyer_").order_by("pk")[:users])
    courses = list(Course.objects.order_by("pk").values_list("pk", flat=True))
    coupons = dict(CouponLog.objects.filter(user__in=buyers).values_list("user_id", "pk"))
    credit_before = {user.pk: user.credit for user in buyers}
    started_at = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    lines_after = Credit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    connection.close()

    latencies = defaultdict(list)
    answers = Counter()
    lock = threading.Lock()
    cycles = [0] * len(buyers)  # per user: its coupon every other order, across both phases

    def shop(index: int, user: User, deadline: float, at_least: int = 0):
        client = Client(f"http://127.0.0.1:{port}", token_pair(user)[0])
        pair = [courses[(2 * index) % len(courses)], courses[(2 * index + 1) % len(courses)]]
        done = 0
        while time.monotonic() < deadline or done < at_least:
            done += 1
            coupon = coupons[user.pk] if cycles[index] % 2 == 0 else -1
            steps = [
                ("cart", "POST", "/cart/", {"course_id": pair[0]}),
                ("cart", "POST", "/cart/", {"course_id": pair[1]}),
            ]
            steps.append(
                ("create", "POST", "/order/", {"pay_type": 0, "user_coupon_id": coupon, "credit": CREDIT_PER_ORDER})
            )
            order_id = None
            for kind, method, path, body in steps:
                began = time.perf_counter()
                status, answer = client.call(method, path, body)
                with lock:
                    latencies[kind].append(time.perf_counter() - began)
                    answers[f"{kind} {status}"] += 1
                if kind == "create" and status == 201:
                    order_id = answer["data"]["id"]
            if order_id is not None:
                began = time.perf_counter()
                status, _ = client.call("PUT", f"/order/{order_id}/")
                with lock:
                    latencies["cancel"].append(time.perf_counter() - began)
                    answers[f"cancel {status}"] += 1
            cycles[index] += 1

    def phase(seconds: float, at_least: int = 0) -> float:
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=shop, args=(i, user, deadline, at_least)) for i, user in enumerate(buyers)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - began

    with gunicorn(
        port=port, workers=workers, threads=worker_threads, log_name="gunicorn-create-cancel.log", root=app_root
    ) as server:
        # every worker booted, connected and past its first requests (the URLconf and the views
        # are imported on a worker's first request) before anything is counted
        phase(warmup, at_least=2)
        warmup_answers = dict(sorted(answers.items()))
        latencies.clear()
        answers.clear()
        cpu = ServerCpu(server.pid)
        client_cpu = time.process_time()
        elapsed = phase(seconds)
        client_cpu = time.process_time() - client_cpu
        server_cpu = cpu.stop()

    created = answers["create 201"]
    return {
        "users": len(buyers),
        "workers": workers,
        "threads": worker_threads,
        "seconds": round(elapsed, 1),
        "orders_created": created,
        "orders_per_s": round(created / elapsed, 1),
        "orders_cancelled": answers["cancel 200"],
        "answers": dict(sorted(answers.items())),
        "warmup": {"seconds": warmup, "answers": warmup_answers},
        "cpu": {
            **server_cpu,
            "bench_client_s": round(client_cpu, 2),
            "server_ms_per_order": round(
                1000 * (server_cpu["gunicorn_s"] + server_cpu["mariadb_s"] + server_cpu["redis_s"]) / max(created, 1), 1
            ),
        },
        "latency_ms": {kind: _percentiles(values) for kind, values in latencies.items()},
        "check": check(buyers, credit_before, started_at, lines_after),
    }


def _percentiles(values: list[float]) -> dict:
    values = sorted(values)
    pick = lambda q: round(1000 * values[min(len(values) - 1, int(q * len(values)))], 1)  # noqa: E731
    return {"p50": pick(0.5), "p99": pick(0.99), "count": len(values)}


def check(buyers, credit_before: dict, started_at: int, lines_after: int = 0) -> dict:
    """The invariants over this run's orders and this run's credit lines (ids above `started_at`
    and `lines_after`: the buyers' lines of earlier runs on the same data are not counted)."""
    orders = Order.objects.filter(user__in=buyers, pk__gt=started_at)
    statuses = Counter(orders.values_list("order_status", flat=True))
    wrong_credit = [
        user.pk for user in User.objects.filter(pk__in=credit_before) if user.credit != credit_before[user.pk]
    ]
    logs = (
        Credit.objects.filter(user__in=buyers, pk__gt=lines_after)
        .values("user_id", "operation")
        .annotate(n=Count("id"), s=Sum("number"))
    )
    per_user = defaultdict(lambda: {"sum": 0, Credit.Operation.SPEND: 0, Credit.Operation.REFUND: 0})
    for row in logs:
        per_user[row["user_id"]]["sum"] += row["s"]
        per_user[row["user_id"]][row["operation"]] += row["n"]
    unbalanced_logs = [uid for uid, row in per_user.items() if row["sum"] != 0]
    spends = sum(row[Credit.Operation.SPEND] for row in per_user.values())
    refunds = sum(row[Credit.Operation.REFUND] for row in per_user.values())
    overlapping = 0
    by_record = defaultdict(list)
    for record_id, created, ended in orders.filter(user_coupon__isnull=False).values_list(
        "user_coupon_id", "created_time", "updated_time"
    ):
        by_record[record_id].append((created, ended))
    for spans in by_record.values():
        spans.sort()
        overlapping += sum(1 for (_, end), (start, _) in zip(spans, spans[1:], strict=False) if start < end)
    records = CouponLog.objects.filter(user__in=buyers)
    result = {
        "statuses": {str(key): value for key, value in statuses.items()},
        "left_unpaid": statuses.get(Order.Status.UNPAID, 0),
        "users_with_changed_credit": len(wrong_credit),
        "users_with_unbalanced_credit_log": len(unbalanced_logs),
        "spend_lines": spends,
        "refund_lines": refunds,
        "orders_with_a_coupon": sum(len(spans) for spans in by_record.values()),
        "coupon_uses_overlapping": overlapping,
        "coupon_records_bound_or_used": records.exclude(
            order__isnull=True, use_status=CouponLog.UseStatus.UNUSED
        ).count(),
        "orders_without_two_details": orders.annotate(n=Count("order_courses")).exclude(n=2).count(),
    }
    result["ok"] = (
        set(statuses) <= {Order.Status.CANCELLED}
        and not wrong_credit
        and not unbalanced_logs
        and spends == refunds == sum(statuses.values())
        and overlapping == 0
        and result["coupon_records_bound_or_used"] == 0
        and result["orders_without_two_details"] == 0
    )
    return result


if __name__ == "__main__":
    main()
