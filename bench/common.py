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
        _wait_until_workers_idle(process.pid, workers, time.monotonic() + 90)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_workers_idle(master_pid: int, workers: int, deadline: float) -> None:
    """Until every worker has loaded the app: all `workers` forked and none using CPU for half a
    second (on a busy machine the last ones may still be importing Django when the first answers;
    their start-up would otherwise be measured as serving)."""
    while time.monotonic() < deadline:
        pids = process_tree_pids(master_pid)[1:]
        before = processes_cpu(pids)
        time.sleep(0.5)
        if len(pids) >= workers and all(cpu - before[pid] < 0.02 for pid, cpu in processes_cpu(pids).items()):
            return
    raise RuntimeError("gunicorn's workers did not settle")


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


# --- CPU accounting: what the server side spent, whatever else the machine runs ------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_of_stat(path: str) -> float:
    """utime + stime of a /proc stat file, in seconds (0 when the process or thread is gone)."""
    try:
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_tree_pids(root_pid: int) -> list[int]:
    """`root_pid` and its direct children (gunicorn's master and workers)."""
    pids = [root_pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == root_pid:
            pids.append(int(stat.parent.name))
    return pids


def processes_cpu(pids) -> dict[int, float]:
    return {pid: _cpu_of_stat(f"/proc/{pid}/stat") for pid in pids}


def _mariadb_pid() -> int | None:
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() in ("mariadbd", "mysqld"):
                return int(comm.parent.name)
        except OSError:
            continue
    return None


class ServerCpu:
    """CPU seconds spent serving one run: gunicorn's master and workers, the MariaDB threads of
    the connections to this run's database (MariaDB runs a thread per connection; PROCESSLIST
    names its TID), and this run's Redis server. On a machine shared with other busy processes,
    CPU per order moves much less than orders per second. Linux only; a part it cannot read counts
    0 and is named in `missing`."""

    def __init__(self, gunicorn_pid: int):
        from django.conf import settings
        from django.db import connection
        from django_redis import get_redis_connection

        self.connection, self.database = connection, settings.DATABASES["default"]["NAME"]
        self.redis = get_redis_connection("default")
        self.gunicorn_pids = process_tree_pids(gunicorn_pid)
        self.mariadb_pid = _mariadb_pid() if connection.vendor == "mysql" else None
        self.start = self._sample()

    def _mariadb_tasks(self) -> dict[int, float]:
        if self.mariadb_pid is None:
            return {}
        return {
            int(stat.parent.name): _cpu_of_stat(str(stat))
            for stat in Path(f"/proc/{self.mariadb_pid}/task").glob("[0-9]*/stat")
        }

    def _redis_cpu(self) -> float:
        info = self.redis.info("cpu")
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    def _sample(self) -> dict:
        return {
            "gunicorn": processes_cpu(self.gunicorn_pids),
            "mariadb": self._mariadb_tasks(),
            "redis": self._redis_cpu(),
        }

    def _run_threads(self) -> set[int]:
        """TIDs of the MariaDB threads serving this run's database now (but this query's own)."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT TID FROM information_schema.PROCESSLIST WHERE DB = %s AND ID <> CONNECTION_ID()",
                [self.database],
            )
            return {row[0] for row in cursor.fetchall()}

    def stop(self) -> dict:
        """Call while the workers and their database connections are still up."""
        end = self._sample()
        threads = self._run_threads() if self.mariadb_pid else set()
        self.connection.close()
        gunicorn_s = sum(end["gunicorn"][pid] - self.start["gunicorn"][pid] for pid in self.gunicorn_pids)
        mariadb_s = sum(end["mariadb"].get(tid, 0.0) - self.start["mariadb"].get(tid, 0.0) for tid in threads)
        return {
            "gunicorn_s": round(gunicorn_s, 2),
            "mariadb_s": round(mariadb_s, 2),
            "mariadb_connections": len(threads),
            "redis_s": round(end["redis"] - self.start["redis"], 2),
            "missing": [] if self.mariadb_pid else ["mariadb"],
        }
