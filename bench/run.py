#!/usr/bin/env python3
"""Run every benchmark and write `bench/results/latest.json` plus a short table on stdout.

    python3 bench/run.py [--quick] [--only listing,sweep,...] [--no-load]

Needs MariaDB/MySQL and Redis (and `wrk` for the listing under load). It uses the project's
`.venv` (create it with `python3 dev.py test`), a database it drops and re-creates
(`BENCH_DATABASE_URL`, default mysql://root:@127.0.0.1:3306/fsapi_bench; its name must contain
"bench") and Redis databases 1, 2, 3 and 6 of `BENCH_REDIS_URL` (default: REDIS_URL, else a
private redis-server started for the run, as `python3 dev.py test` does), which it empties.
Ports: gunicorn on BENCH_PORT (8005) and BENCH_PORT+1. `--quick` is a smaller run (a tenth of
the data, shorter durations) to try the scripts out.

Steps, each a `python -m bench.<module>` process: load the data set (bench.dataset), the order
listing in process and under load (bench.listing), the time-out sweep (bench.sweep), order
create + cancel under 20 users (bench.create_cancel), Celery countdown memory (bench.countdown).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
RESULTS = ROOT / "bench" / "results"
STEPS = ("load", "listing", "sweep", "create_cancel", "countdown")


def ensure_venv() -> None:
    """Re-run as `.venv/bin/python -m bench.run` (Django lives there; -m puts the repo on the path)."""
    if __package__ == "bench" and Path(sys.prefix).resolve() == (ROOT / ".venv").resolve():
        return
    if not VENV_PYTHON.exists():
        sys.exit("[bench] no .venv here: run `python3 dev.py test` once to create it")
    os.chdir(ROOT)
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), "-m", "bench.run", *sys.argv[1:]])


def main() -> int:
    ensure_venv()
    parser = argparse.ArgumentParser(description="Run the fsapi benchmarks.")
    parser.add_argument("--quick", action="store_true", help="a tenth of the data, short durations")
    parser.add_argument("--only", default=",".join(STEPS), help=f"comma-separated among {', '.join(STEPS)}")
    parser.add_argument("--no-load", action="store_true", help="reuse the loaded database")
    parser.add_argument("--sweep-batch-sizes", default="500")
    args = parser.parse_args()
    steps = [step for step in STEPS if step in args.only.split(",")]
    if args.no_load and "load" in steps:
        steps.remove("load")

    database_url = os.environ.get("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/fsapi_bench")
    import dev  # the repo's dev.py: on the path once ensure_venv re-ran this as `-m bench.run`

    redis_env = {"REDIS_URL": os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or ""}
    private_redis = dev.start_embedded_redis(redis_env, reuse_local=False)  # it empties its Redis
    try:
        return run_steps(args, steps, database_url, redis_env["REDIS_URL"])
    finally:
        dev.stop(private_redis)


def run_steps(args, steps: list[str], database_url: str, redis_url: str) -> int:
    port = int(os.environ.get("BENCH_PORT", "8005"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        "PYTHONUNBUFFERED": "1",
    }
    size = 10 if args.quick else 1
    durations = {"wrk_seconds": 5 if args.quick else 15, "create_cancel_seconds": 10 if args.quick else 30}
    report = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(database_url, redis_url),
        "settings": {
            "database": redact(database_url),
            "redis": redis_url,
            "conn_max_age": env["CONN_MAX_AGE"],
            "quick": args.quick,
            **durations,
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    if "load" in steps:
        recreate_database(database_url)
        flush_redis(redis_url)
        python(["manage.py", "migrate", "--noinput", "-v", "0"], env)
    module_args = {
        "load": ["--orders", str(200_000 // size), "--lister-orders", str(2_000 // size),
                 "--overdue", str(100_000 // size)],
        "listing": ["--seconds", str(durations["wrk_seconds"]), "--port", str(port)],
        "sweep": ["--batch-sizes", args.sweep_batch_sizes],
        "create_cancel": ["--seconds", str(durations["create_cancel_seconds"]), "--port", str(port + 1)],
        "countdown": ["--tasks", str(10_000 // size)],
    }  # fmt: skip
    modules = {"load": "bench.dataset"}
    for step in steps:
        say(f"{step} …")
        began = time.monotonic()
        out = RESULTS / f"{step}.json"
        code = (
            "import json, sys; from importlib import import_module; "
            f"m = import_module({modules.get(step, 'bench.' + step)!r}); "
            f"r = m.main(sys.argv[1:]); open({str(out)!r}, 'w').write(json.dumps(r, default=str))"
        )
        python(["-c", code, *module_args[step]], env, log=RESULTS / f"{step}.log")
        report[step] = json.loads(out.read_text())
        report[step]["step_seconds"] = round(time.monotonic() - began, 1)
    report["total_seconds"] = round(time.monotonic() - started, 1)
    report["machine"]["load_average_after"] = os.getloadavg()
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))
    print(table(report))
    say(f"report: {RESULTS / 'latest.json'}")
    return 0


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def python(args: list[str], env: dict, log: Path | None = None) -> None:
    """Run the venv's python in the repo; a step's output goes to its log (and a failure shows it)."""
    if log is None:
        subprocess.run([str(VENV_PYTHON), *args], cwd=ROOT, env=env, check=True)
        return
    with open(log, "w") as stream:
        done = subprocess.run([str(VENV_PYTHON), *args], cwd=ROOT, env=env, stdout=stream, stderr=subprocess.STDOUT)
    if done.returncode:
        print(log.read_text()[-4000:])
        sys.exit(f"[bench] step failed, see {log}")


def redact(url: str) -> str:
    parts = urlsplit(url)
    return url.replace(f":{parts.password}@", ":***@") if parts.password else url


def recreate_database(url: str) -> None:
    import MySQLdb

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"[bench] refusing to drop database {name!r}: its name must contain 'bench'")
    connection = MySQLdb.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 3306, user=parts.username or "root",
        password=parts.password or "",
    )  # fmt: skip
    cursor = connection.cursor()
    cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    connection.close()


def flush_redis(url: str) -> None:
    import redis

    for db in (1, 2, 3, 6):  # bench/settings.py: default, cart, coupon, celery
        redis.Redis.from_url(url, db=db).flushdb()


def machine(database_url: str, redis_url: str) -> dict:
    import MySQLdb
    import redis

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
    parts = urlsplit(database_url)
    connection = MySQLdb.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 3306, user=parts.username or "root",
        password=parts.password or "",
    )  # fmt: skip
    cursor = connection.cursor()
    cursor.execute("SELECT VERSION(), @@innodb_buffer_pool_size, @@innodb_flush_log_at_trx_commit")
    version, pool, flush = cursor.fetchone()
    connection.close()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": round(int(memory) / 2**20, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "database": f"{version} (buffer pool {int(pool) // 2**20} MiB, flush_log_at_trx_commit {flush})",
        "redis": redis.Redis.from_url(redis_url).info("server")["redis_version"],
        "commit": commit.strip(),
        "load_average_before": os.getloadavg(),
    }


def table(report: dict) -> str:
    rows = [("figure", "value")]
    if "load" in report:
        d = report["load"]
        rows.append(("data set", f"{d['orders_total']:,} orders, {d['order_details']:,} details, {d['users']:,} users"))
        rows.append(("", f"{d['orders_lister']:,} orders for the listed user; loaded in {d['load_seconds']} s"))
    if "listing" in report:
        listing = report["listing"]
        for name in ("list_size_5", "list_size_50", "bare"):
            d = listing["in_process"][name]
            figure = f"{d['queries']} queries, {d['requests_per_s']} req/s, {d['mean_ms']} ms (SQL {d['sql_ms']} ms)"
            rows.append((f"{name}: in process", figure))
        for name in ("list_size_5", "list_size_50", "bare", "bare_again"):
            d = listing["under_load"][name]
            errors = d["errors"] + d["non_2xx"]
            rows.append(
                (
                    f"{name}: req/s, p50, p99 ms",
                    f"{d['requests_per_s']}, {d['p50_ms']}, {d['p99_ms']} ({errors} errors)",
                )
            )
        rows.append(("size=5 / bare (target >= 0.5)", str(listing["size_5_vs_bare"])))
    for d in report.get("sweep", {}).get("runs", []):
        figure = f"{d['timed_out']:,} in {d['seconds']} s = {d['orders_per_s']}/s"
        rows.append((f"sweep batch {d['batch_size']} (>= 2000/s)", f"{figure}, exactly once: {d['check']['ok']}"))
    if "create_cancel" in report:
        d = report["create_cancel"]
        create = d["latency_ms"]["create"]
        rows.append(
            (f"create+cancel, {d['users']} users", f"{d['orders_per_s']} orders/s ({d['orders_created']} orders)")
        )
        rows.append(("", f"create p50/p99 {create['p50']}/{create['p99']} ms, invariants: {d['check']['ok']}"))
    if "countdown" in report:
        d = report["countdown"]
        first, last = d["points"][0], d["points"][-1]
        rows.append((f"worker RSS, {d['tasks']:,} countdowns", f"main {first['main_mib']} -> {last['main_mib']} MiB"))
        rows.append(("", f"{d['kib_per_pending_task']} KiB per task; Redis +{d['redis_growth_mib']} MiB"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


if __name__ == "__main__":
    sys.exit(main())
