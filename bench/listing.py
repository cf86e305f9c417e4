# ruff: noqa: E402
"""The order listing against a bare DRF endpoint behind the same JWT auth, as `bench_lister`
(the user with ~2k orders) sees it.

    python -m bench.listing [--seconds 15] [--workers 4] [--threads 1] [--connections 20] [--port 8005]

1. In process (django.test.Client, no HTTP server): SQL queries per request, counted with
   CaptureQueriesContext, sequential requests/s and the time spent in the database driver, for
   `/order/list/?size=5`, `?size=50` and `/bench/bare/`.
2. Under load: gunicorn (sync workers; gthread with `--threads` > 1) on loopback, wrk with 20
   connections for `--seconds` each, in the order bare, size=5, size=50, bare again (the two bare
   runs show drift on a shared machine): requests/s and p50/p99 latency.
"""

import argparse
import json
import time

from bench.common import Timer, gunicorn, setup_django, wrk

setup_django()  # before the models are imported

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.orders.selectors import order_list
from apps.users.models import User
from apps.users.tokens import token_pair

PATHS = {"list_size_5": "/order/list/?size=5", "list_size_50": "/order/list/?size=50", "bare": "/bench/bare/"}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--inprocess-seconds", type=float, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--port", type=int, default=8005)
    args = parser.parse_args(argv)
    result = run(**vars(args))
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return result


def run(*, seconds: int, inprocess_seconds: float, workers: int, threads: int, connections: int, port: int) -> dict:
    user = User.objects.get(username="bench_lister")
    token, _ = token_pair(user)
    result = {
        "user_orders": order_list(user=user).count(),
        "in_process": in_process(token, inprocess_seconds),
        "explain": explain(user),
    }
    connection.close()  # gunicorn's workers open their own
    result["under_load"] = under_load(
        token, seconds=seconds, workers=workers, threads=threads, connections=connections, port=port
    )
    load = result["under_load"]
    bare = (load["bare"]["requests_per_s"] + load["bare_again"]["requests_per_s"]) / 2
    result["size_5_vs_bare"] = round(load["list_size_5"]["requests_per_s"] / bare, 3)
    result["size_50_vs_bare"] = round(load["list_size_50"]["requests_per_s"] / bare, 3)
    return result


def in_process(token: str, seconds: float) -> dict:
    client = Client(HTTP_AUTHORIZATION=f"jwt {token}")
    figures = {}
    for name, path in PATHS.items():
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code, answer.content[:300])
        with CaptureQueriesContext(connection) as capture:
            client.get(path)
        queries = list(capture.captured_queries)  # read now: the next request resets the log
        count, sql_seconds = 0, [0.0]

        def timed(execute, sql, params, many, context, sql_seconds=sql_seconds):
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                sql_seconds[0] += time.perf_counter() - began

        with Timer() as timer, connection.execute_wrapper(timed):
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                client.get(path)
                count += 1
        figures[name] = {
            "queries": len(queries),
            "sql": [query["sql"][:160] for query in queries],
            "requests_per_s": round(count / timer.seconds, 1),
            "mean_ms": round(1000 * timer.seconds / count, 2),
            "sql_ms": round(1000 * sql_seconds[0] / count, 2),  # in the driver: the rest is Python
            "response_bytes": len(answer.content),
        }
    return figures


def explain(user) -> list:
    """The plan MariaDB picks for the page query of size 5 (which index serves it)."""
    sql, params = order_list(user=user).page_query(slice(0, 5))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def under_load(token: str, *, seconds: int, workers: int, threads: int, connections: int, port: int) -> dict:
    base = f"http://127.0.0.1:{port}"
    figures = {"workers": workers, "threads": threads}
    with gunicorn(port=port, workers=workers, threads=threads):
        for path in PATHS.values():  # warm every worker's imports and connections
            wrk(base + path, token=token, connections=connections, seconds=2)
        for name in ("bare", "list_size_5", "list_size_50", "bare_again"):
            path = PATHS[name.removesuffix("_again")]
            figures[name] = wrk(base + path, token=token, connections=connections, seconds=seconds)
    return figures


if __name__ == "__main__":
    main()
