# ruff: noqa: E402
"""Where a checkout cycle's time goes, in process (no HTTP server, no other clients).

    python -m bench.checkout_profile [--cycles 40] [--profile cprofile|pyinstrument] [--top 40]

One `bench_buyer_*` user after another runs the cycle of `bench.create_cancel` through
`django.test.Client` (2 cart adds, create with 10 credit and every other time the coupon, cancel,
including the after-commit work) on the bench's database and Redis. Prints per step: wall time,
CPU time of this process, SQL statements and their time as the client library saw it, Redis
commands; with `--profile`, a profile of all cycles (cProfile sorted by cumulative time, or
pyinstrument's tree) written to `bench/results/checkout-profile.txt`.
"""

import argparse
import cProfile
import io
import json
import pstats
import time
from collections import defaultdict
from contextlib import ExitStack

from bench.common import RESULTS, setup_django

setup_django()

from django.db import connection
from django.test import Client
from redis.client import Pipeline, Redis

from apps.coupon.models import CouponLog
from apps.course.models import Course
from apps.users.models import User
from apps.users.tokens import token_pair

CREDIT_PER_ORDER = 10
SORT = ("cumulative",)


class Counters:
    """SQL statements (count, seconds) and Redis round trips of the current step."""

    def __init__(self):
        self.sql = 0
        self.sql_seconds = 0.0
        self.redis = 0

    def sql_wrapper(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql += 1
            self.sql_seconds += time.perf_counter() - began


def count_redis(counters: Counters):
    """Count Redis round trips (a pipeline is one) by wrapping redis-py's two entry points."""
    command, pipe_execute = Redis.execute_command, Pipeline.execute

    def counted_command(self, *args, **kwargs):
        if not isinstance(self, Pipeline):
            counters.redis += 1
        return command(self, *args, **kwargs)

    def counted_execute(self, *args, **kwargs):
        counters.redis += 1
        return pipe_execute(self, *args, **kwargs)

    Redis.execute_command, Pipeline.execute = counted_command, counted_execute

    def restore():
        Redis.execute_command, Pipeline.execute = command, pipe_execute

    return restore


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=40)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--profile", choices=["cprofile", "pyinstrument"])
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args(argv)

    buyers = list(User.objects.filter(username__startswith="bench_buyer_").order_by("pk")[: args.users])
    courses = list(Course.objects.order_by("pk").values_list("pk", flat=True))
    coupons = dict(CouponLog.objects.filter(user__in=buyers).values_list("user_id", "pk"))
    clients = [Client(HTTP_AUTHORIZATION=f"jwt {token_pair(user)[0]}") for user in buyers]

    counters = Counters()
    steps = defaultdict(lambda: defaultdict(float))

    def step(kind, method, path, body=None):
        counters.__init__()
        wall, cpu = time.perf_counter(), time.process_time()
        answer = getattr(client, method)(path, data=json.dumps(body) if body else None, content_type="application/json")
        row = steps[kind]
        row["n"] += 1
        row["wall_ms"] += 1000 * (time.perf_counter() - wall)
        row["cpu_ms"] += 1000 * (time.process_time() - cpu)
        row["sql"] += counters.sql
        row["sql_ms"] += 1000 * counters.sql_seconds
        row["redis"] += counters.redis
        if answer.status_code >= 300:
            raise SystemExit(f"{kind}: {answer.status_code} {answer.content[:300]!r}")
        return answer.json()

    def cycle(n):
        index = n % len(buyers)
        user = buyers[index]
        pair = [courses[(2 * index) % len(courses)], courses[(2 * index + 1) % len(courses)]]
        step("cart", "post", "/cart/", {"course_id": pair[0]})
        step("cart", "post", "/cart/", {"course_id": pair[1]})
        coupon = coupons[user.pk] if (n // len(buyers)) % 2 == 0 else -1
        body = {"pay_type": 0, "user_coupon_id": coupon, "credit": CREDIT_PER_ORDER}
        order_id = step("create", "post", "/order/", body)["data"]["id"]
        step("cancel", "put", f"/order/{order_id}/")

    for n in range(len(buyers)):  # warm up: imports, connections, first queries
        client = clients[n]
        cycle(n)
    steps.clear()

    profiler = None
    if args.profile == "cprofile":
        profiler = cProfile.Profile()
    elif args.profile == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    restore = count_redis(counters)
    began = time.perf_counter()
    with ExitStack() as stack:
        stack.enter_context(connection.execute_wrapper(counters.sql_wrapper))
        if profiler:
            profiler.enable() if args.profile == "cprofile" else profiler.start()
        for n in range(args.cycles):
            client = clients[n % len(buyers)]
            cycle(n)
        if profiler:
            profiler.disable() if args.profile == "cprofile" else profiler.stop()
    elapsed = time.perf_counter() - began
    restore()

    report = {
        "cycles": args.cycles,
        "ms_per_cycle": round(1000 * elapsed / args.cycles, 1),
        "steps": {
            kind: {key: round(value / row["n"], 2) for key, value in row.items() if key != "n"}
            for kind, row in steps.items()
        },
    }
    if profiler:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / "checkout-profile.txt"
        if args.profile == "cprofile":
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats(*SORT).print_stats(args.top)
            out.write_text(text.getvalue())
        else:
            out.write_text(profiler.output_text(unicode=True, show_all=False))
        report["profile"] = str(out)
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
