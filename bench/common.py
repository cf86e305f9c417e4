"""What the benchmark modules share: Django set up on the bench settings, the gunicorn server they
load, wrk, and a tiny timer. Standard library and Django only."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WRK_SCRIPT = ROOT / "bench" / "wrk_report.lua"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def log_file(name: str):
    RESULTS.mkdir(parents=True, exist_ok=True)
    return open(RESULTS / name, "a")


@contextmanager
def gunicorn(*, port: int, workers: int, threads: int = 1, log_name: str = "gunicorn.log", root: Path = ROOT):
    """gunicorn serving the product (plus `bench/bare/`) on loopback for the `with` block: sync
    workers, or gthread workers (which keep connections alive) when `threads` > 1. `root` is the
    checkout whose code it serves (another commit's, to compare before and after)."""
    worker_class = "gthread" if threads > 1 else "sync"
    args = [sys.executable, "-m", "gunicorn", "fsapi.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads), "--worker-class", worker_class,
            "--backlog", "256", "--timeout", "60", "--log-level", "warning"]  # fmt: skip
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    with log_file(log_name) as log:
        process = subprocess.Popen(args, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/order/pay/status/", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start, see {RESULTS / log_name}") from None
                time.sleep(0.3)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(url: str, *, token: str, connections: int, seconds: int, threads: int = 2) -> dict:
    """Run wrk against `url` with the JWT header; answers requests/s, p50/p99/max latency (ms) and
    errors (socket errors and non-2xx answers)."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (Debian/Ubuntu: apt-get install -y wrk)")
    args = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
            "-s", str(WRK_SCRIPT), "-H", f"Authorization: jwt {token}", url]  # fmt: skip
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("{"))
    report = json.loads(line)
    return {
        "requests_per_s": round(report["requests"] / (report["duration_us"] / 1e6), 1),
        "requests": report["requests"],
        "p50_ms": round(report["p50_us"] / 1000, 2),
        "p99_ms": round(report["p99_us"] / 1000, 2),
        "max_ms": round(report["max_us"] / 1000, 2),
        "errors": report["errors"],
        "non_2xx": report["non_2xx"],
        "seconds": seconds,
        "connections": connections,
    }


class Timer:
    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
