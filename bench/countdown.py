# ruff: noqa: E402
"""Memory of a Celery worker holding pending `order_timeout` countdowns (as it does for every
unpaid order during ORDER_TIMEOUT), against a real worker with the Redis broker.

    python -m bench.countdown [--tasks 10000] [--steps 4]

Starts `celery -A fsapi worker --concurrency 2` (the Procfile's worker) on the bench's own Redis
database, measures its resident memory (main process and pool children, from /proc) idle, then
after each step of `--tasks / --steps` countdowns (one hour away, for order ids that do not
exist, so none would ever change anything) has been received, and Redis's memory beside it.
The worker is stopped and the broker database emptied afterwards.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import RESULTS, ROOT, Timer, log_file, setup_django

setup_django()  # before the tasks are imported

import redis
from django.conf import settings

from apps.orders.tasks import order_timeout

MISSING_ORDER = 10**15  # far beyond any id: a fired task would find nothing and change nothing


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--countdown", type=int, default=3600)
    args = parser.parse_args(argv)
    result = run(tasks=args.tasks, steps=args.steps, countdown=args.countdown)
    print(json.dumps(result, indent=1))
    return result


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def worker_memory(pid: int) -> dict:
    kids = children(pid)
    main_kib = rss_kib(pid)
    return {"main_mib": round(main_kib / 1024, 1), "children_mib": round(sum(rss_kib(kid) for kid in kids) / 1024, 1)}


def run(*, tasks: int, steps: int, countdown: int) -> dict:
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.flushdb()
    args = [sys.executable, "-m", "celery", "-A", "fsapi", "worker", "-l", "info", "--concurrency", "2",
            "-n", f"bench-countdown-{os.getpid()}@%h"]  # fmt: skip
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    log_path = RESULTS / "celery-countdown.log"
    log_path.unlink(missing_ok=True)
    with log_file(log_path.name) as log:
        worker = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: "ready." in log_path.read_text(), 90, "the worker to start")
        time.sleep(3)
        points = [{"pending": 0, **worker_memory(worker.pid), "redis_used_mib": _redis_mib(broker)}]
        sent = 0
        enqueue_seconds = 0.0
        for step in range(1, steps + 1):
            target = tasks * step // steps
            with Timer() as timer:
                for n in range(sent, target):
                    order_timeout.apply_async(kwargs={"order_id": MISSING_ORDER + n}, countdown=countdown)
            enqueue_seconds += timer.seconds
            sent = target
            _wait(lambda sent=sent: broker.llen("celery") == 0 and broker.hlen("unacked") >= sent, 300, "the worker")
            time.sleep(2)
            points.append({"pending": sent, **worker_memory(worker.pid), "redis_used_mib": _redis_mib(broker)})
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        broker.flushdb()
    first, last = points[0], points[-1]
    grown_kib = (last["main_mib"] - first["main_mib"]) * 1024
    return {
        "tasks": tasks,
        "countdown_s": countdown,
        "enqueue_per_s": round(tasks / enqueue_seconds, 1),
        "points": points,
        "main_growth_mib": round(last["main_mib"] - first["main_mib"], 1),
        "kib_per_pending_task": round(grown_kib / tasks, 2),
        "redis_growth_mib": round(last["redis_used_mib"] - first["redis_used_mib"], 1),
    }


def _redis_mib(broker) -> float:
    return round(broker.info("memory")["used_memory"] / 2**20, 1)


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.5)


if __name__ == "__main__":
    main()
