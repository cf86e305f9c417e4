"""Memory of a Celery worker, and of the broker, while `order_timeout` countdowns are pending (as
one is for every unpaid order during ORDER_TIMEOUT), on the Redis broker and on RabbitMQ.

    python -m bench.countdown [--broker redis|amqp|both] [--points 10000,50000,100000]

Starts `celery -A fsapi worker --concurrency 2` (the Procfile's worker), measures its resident
memory (main process and pool children, from /proc) idle, then at each point once that many
countdowns (one hour away, for order ids that do not exist, so none would ever change anything)
are pending: on Redis, once the worker has taken them all (the `unacked` hash); on RabbitMQ once
they are all in the delay queues. Beside it the broker's memory: Redis's used_memory; for
RabbitMQ the memory of the vhost's queues (`rabbitmqctl list_queues memory`) and of the whole
node (shared with anything else on it, so only its growth means something).

Everything stays on loopback and is bounded (the points given); afterwards the worker is stopped
and the bench's broker removed: the Redis broker database emptied, the RabbitMQ vhost
(`--vhost`, default `fsapi_broker_bench_<pid>`, created here with rabbitmqctl) deleted.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import RESULTS, ROOT, Timer, log_file, setup_django

MISSING_ORDER = 10**15  # far beyond any id: a fired task would find nothing and change nothing
SENDERS = 8
AMQP_SERVER = os.environ.get("BENCH_AMQP_SERVER", "amqp://guest:guest@127.0.0.1:5672")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", choices=["redis", "amqp", "both"], default="redis")
    parser.add_argument("--points", default="", help="pending counts to measure at, comma-separated")
    parser.add_argument("--tasks", type=int, default=10_000, help="without --points: this many …")
    parser.add_argument("--steps", type=int, default=4, help="… in this many equal steps")
    parser.add_argument("--countdown", type=int, default=3600)
    parser.add_argument("--vhost", default=f"fsapi_broker_bench_{os.getpid()}")
    args = parser.parse_args(argv)
    points = (
        [int(p) for p in args.points.split(",") if p]
        if args.points
        else [args.tasks * step // args.steps for step in range(1, args.steps + 1)]
    )
    if args.broker == "both":
        result = {broker: _in_subprocess(broker, args) for broker in ("redis", "amqp")}
    else:
        result = run(broker=args.broker, points=points, countdown=args.countdown, vhost=args.vhost)
    print(json.dumps(result, indent=1))
    return result


def _in_subprocess(broker: str, args) -> dict:
    """One broker per process: the settings derive the broker's options when they are loaded."""
    argv = [sys.executable, "-m", "bench.countdown", "--broker", broker, "--countdown", str(args.countdown),
            "--vhost", args.vhost, "--points", args.points or ",".join(
                str(args.tasks * s // args.steps) for s in range(1, args.steps + 1))]  # fmt: skip
    output = subprocess.run(argv, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(output[output.index("{") :])


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


class RedisBroker:
    name = "redis"

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)
        self.client.flushdb()

    def held(self, sent: int) -> bool:
        # the worker reserved every countdown: none left on the queue, all unacknowledged
        return self.client.llen("celery") == 0 and self.client.hlen("unacked") >= sent

    def memory(self) -> dict:
        return {"redis_used_mib": round(self.client.info("memory")["used_memory"] / 2**20, 1)}

    def cleanup(self) -> None:
        self.client.flushdb()


class RabbitBroker:
    name = "amqp"

    def __init__(self, vhost: str):
        self.vhost = vhost

    def held(self, sent: int) -> bool:
        return sum(messages for name, messages, _ in self.queues() if name.startswith("celery_delayed_")) >= sent

    def queues(self) -> list[tuple[str, int, int]]:
        out = rabbitmqctl("list_queues", "-p", self.vhost, "--no-table-headers", "-q", "name", "messages", "memory")
        rows = [line.split() for line in out.splitlines() if line.strip()]
        return [(name, int(messages), int(memory)) for name, messages, memory in rows]

    def memory(self) -> dict:
        status = json.loads(rabbitmqctl("status", "--formatter", "json"))
        total = status["memory"]["total"]  # {"erlang": …, "rss": …, "allocated": …} on 3.10
        return {
            "vhost_queues_mib": round(sum(memory for _, _, memory in self.queues()) / 2**20, 1),
            "node_mib": round(total["erlang"] / 2**20, 1),
            "node_rss_mib": round(total["rss"] / 2**20, 1),
        }

    def cleanup(self) -> None:
        pass  # run() deletes the whole vhost


def rabbitmqctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, text=True, timeout=120).stdout


def run(*, broker: str, points: list[int], countdown: int, vhost: str = "") -> dict:
    if broker == "amqp":
        rabbitmqctl("add_vhost", vhost)
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        os.environ["CELERY_BROKER_URL"] = f"{AMQP_SERVER}/{vhost}"
    try:
        setup_django()  # before the tasks are imported: the settings read the broker URL
        from django.conf import settings

        target = RabbitBroker(vhost) if broker == "amqp" else RedisBroker(settings.CELERY_BROKER_URL)
        return _measure(target, points, countdown)
    finally:
        if broker == "amqp":
            rabbitmqctl("delete_vhost", vhost)


def _measure(broker, points: list[int], countdown: int) -> dict:
    from apps.orders.tasks import order_timeout

    args = [sys.executable, "-m", "celery", "-A", "fsapi", "worker", "-l", "info", "--concurrency", "2",
            "-n", f"bench-countdown-{os.getpid()}@%h"]  # fmt: skip
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    log_path = RESULTS / f"celery-countdown-{broker.name}.log"
    log_path.unlink(missing_ok=True)
    with log_file(log_path.name) as log:
        worker = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: "ready." in log_path.read_text(), 120, "the worker to start")
        time.sleep(3)
        measured = [{"pending": 0, **worker_memory(worker.pid), **broker.memory()}]
        sent = 0
        enqueue_seconds = 0.0
        for target in points:
            with Timer() as timer, ThreadPoolExecutor(SENDERS) as senders:
                # several senders: with publisher confirms one sender waits for each message
                list(senders.map(lambda n: order_timeout.apply_async(
                    kwargs={"order_id": MISSING_ORDER + n}, countdown=countdown), range(sent, target)))  # fmt: skip
            enqueue_seconds += timer.seconds
            sent = target
            _wait(lambda sent=sent: broker.held(sent), 600, "the countdowns to be pending")
            time.sleep(2)
            measured.append({"pending": sent, **worker_memory(worker.pid), **broker.memory()})
            print(json.dumps(measured[-1]), file=sys.stderr, flush=True)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        broker.cleanup()
    first, last = measured[0], measured[-1]
    grown_kib = (last["main_mib"] - first["main_mib"]) * 1024
    result = {
        "broker": broker.name,
        "tasks": sent,
        "countdown_s": countdown,
        "enqueue_per_s": round(sent / enqueue_seconds, 1),
        "points": measured,
        "main_growth_mib": round(last["main_mib"] - first["main_mib"], 1),
        "kib_per_pending_task": round(grown_kib / sent, 2),
    }
    if broker.name == "redis":
        result["redis_growth_mib"] = round(last["redis_used_mib"] - first["redis_used_mib"], 1)
    else:
        result["vhost_queues_growth_mib"] = round(last["vhost_queues_mib"] - first["vhost_queues_mib"], 1)
        result["node_growth_mib"] = round(last["node_mib"] - first["node_mib"], 1)
        result["node_rss_growth_mib"] = round(last["node_rss_mib"] - first["node_rss_mib"], 1)
    return result


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.5)


if __name__ == "__main__":
    main()
