# ruff: noqa: E402
"""What the check before a time-out costs the sweep: the before-timeout hooks run over every
batch of the loaded overdue orders (the orders are not timed out), repeated, in one process.

    python -m bench.timeout_check [--batch-size 500] [--repeat 5]

Prints one JSON line: seconds per pass over all batches (min and median of the repeats) and per
batch. A commit without the hooks prints zeros. Run by `bench.sweep_ab --check` in each tree: the
best of several passes is steady on a loaded machine, where whole sweeps vary by ±30 %.
"""

import argparse
import json
import statistics
import time
from datetime import timedelta

from bench.common import setup_django

setup_django()

from django.conf import settings
from django.db import connection, reset_queries
from django.utils import timezone

from apps.orders import services
from apps.orders.models import Order
from bench.sweep import reset


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    reset()  # the overdue orders unpaid again, as loaded (a sweep run leaves them timed out)
    cutoff = timezone.now() - timedelta(seconds=settings.ORDER_TIMEOUT)
    ids = list(
        Order.objects.filter(order_status=Order.Status.UNPAID, created_time__lte=cutoff)
        .order_by("created_time", "pk")
        .values_list("pk", flat=True)
    )
    batches = [ids[i : i + args.batch_size] for i in range(0, len(ids), args.batch_size)]
    hooks = getattr(services, "_run_before_timeout_hooks", None)
    passes = []
    queries = 0
    for _ in range(args.repeat if hooks else 0):
        connection.force_debug_cursor = True
        reset_queries()
        began = time.perf_counter()
        for batch in batches:
            hooks(batch, cutoff)
        passes.append(time.perf_counter() - began)
        queries = len(connection.queries)
        connection.force_debug_cursor = False
    best = min(passes) if passes else 0.0
    result = {
        "orders": len(ids),
        "batches": len(batches),
        "hooks": bool(hooks),
        "pass_seconds_min": round(best, 3),
        "pass_seconds_median": round(statistics.median(passes), 3) if passes else 0.0,
        "ms_per_batch": round(1000 * best / max(1, len(batches)), 2),
        "queries_per_batch": round(queries / max(1, len(batches)), 1),
    }
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main()
