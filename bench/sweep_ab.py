"""The time-out sweep before and after, in one run on the same machine: alternating runs of
`bench.sweep` (every overdue order timed out, each exactly once, checked) against an older
commit and this checkout, on the same database, Redis and data.

    python -m bench.sweep_ab [--before main,7b63539] [--rounds 3] [--batch-size 500] [--load 50000]
                             [--check] [--links 0.1]

Each name in `--before` is a commit checked out into a temporary git worktree (removed afterwards);
"after" is this checkout. `bench.sweep` puts the overdue orders back into their loaded state before
each run, so every run sweeps the same orders. `--load N` first recreates BENCH_DATABASE_URL (its
name must contain "bench") and loads N overdue orders (and a tenth of that of history); without
it the loaded database is reused. Redis: BENCH_REDIS_URL, else a private redis-server for the run.
The shared machine's load moves every figure, so the runs alternate and the report gives ranges.
`--check` also times the check before a time-out alone (`bench.timeout_check`: the hooks over every
batch, best of 5 passes, alternating as well), with no pay link issued and then with `--links`
(a share of the overdue orders given a PayLink row, removed afterwards; Alipay is not configured
in the bench, so no trade is asked about: what is measured is picking the orders to ask).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def one_run(root: Path, env: dict, batch_size: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.sweep", "--batch-sizes", str(batch_size)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"[bench] sweep failed in {root}:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    line = next(line for line in out.stdout.splitlines() if line.startswith("{"))
    result = json.loads(line)
    result["load_average"] = os.getloadavg()[0]
    return result


def timeout_check(root: Path, env: dict, batch_size: int) -> dict:
    if root != ROOT:  # the older tree may not have the script: the same one times every tree
        shutil.copy(ROOT / "bench" / "timeout_check.py", root / "bench" / "timeout_check.py")
    out = subprocess.run(
        [sys.executable, "-m", "bench.timeout_check", "--batch-size", str(batch_size)],
        cwd=root,
        env={**env, "LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"[bench] timeout_check failed in {root}:\n{out.stderr[-4000:]}")
    return json.loads(next(line for line in out.stdout.splitlines() if line.startswith("{")))


def issue_links(env: dict, share: float) -> int:
    """PayLink rows for every 1/share-th overdue order (as if their pay links had gone out)."""
    from urllib.parse import urlsplit

    import MySQLdb

    parts = urlsplit(env["DATABASE_URL"])
    connection = MySQLdb.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                                 user=parts.username or "root", password=parts.password or "",
                                 database=parts.path.lstrip("/"))  # fmt: skip
    cursor = connection.cursor()
    cursor.execute("DELETE FROM fs_pay_link")
    if share:
        cursor.execute(
            "INSERT INTO fs_pay_link (out_trade_no, created_time) SELECT o.order_number, o.created_time "
            "FROM fs_order o JOIN fs_users u ON u.id = o.user_id WHERE u.username LIKE 'bench\\_sweep\\_%%' "
            "AND MOD(o.id, %s) = 0",
            [round(1 / share)],
        )
    count = cursor.rowcount if share else 0
    connection.commit()
    connection.close()
    return count


def load(env: dict, overdue: int) -> None:
    from bench.run import recreate_database

    recreate_database(env["DATABASE_URL"])
    python = [sys.executable]
    subprocess.run([*python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*python, "-m", "bench.dataset", "--orders", str(max(1000, overdue // 10)), "--lister-orders", "100",
         "--overdue", str(overdue)],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="comma-separated commits (default: main)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--load", type=int, default=0, help="recreate the database with N overdue orders")
    parser.add_argument("--check", action="store_true", help="also time the check before a time-out alone")
    parser.add_argument("--links", type=float, default=0.1, help="share of overdue orders with a link (--check)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import dev

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/fsapi_bench"),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),  # the sweep logs a line per order, as in production
    }
    private_redis = dev.start_embedded_redis(env, reuse_local=False)
    variants = {"after": ROOT}
    temporary = []
    try:
        if args.load:
            load(env, args.load)
        for name in args.before.split(","):
            tree = Path(tempfile.mkdtemp(prefix="fsapi-sweep-before-")) / "tree"
            git("worktree", "add", "--detach", str(tree), git("rev-parse", name))
            temporary.append(tree)
            variants[f"before {name} ({git('rev-parse', '--short', name)})"] = tree
        runs = {name: [] for name in variants}
        order = [name for name in variants if name != "after"] + ["after"]
        for n in range(args.rounds):
            for name in order:
                began = time.monotonic()
                result = one_run(variants[name], env, args.batch_size)
                runs[name].append(result)
                print(
                    f"[bench] round {n + 1} {name}: {result['orders_per_s']} orders/s "
                    f"({result['timed_out']} in {result['seconds']} s), exactly once: {result['check']['ok']}, "
                    f"load {result['load_average']:.1f}, {time.monotonic() - began:.0f} s",
                    flush=True,
                )
        checks = {}
        for links in (0.0, args.links) if args.check else ():
            label = f"links {links:.0%} ({issue_links(env, links)} rows)"
            checks[label] = {name: [] for name in variants}
            for _ in range(2):
                for name in order:
                    checks[label][name].append(timeout_check(variants[name], env, args.batch_size))
                    print(f"[bench] check, {label}, {name}: {checks[label][name][-1]}", flush=True)
        issue_links(env, 0.0)
    finally:
        for tree in temporary:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
        dev.stop(private_redis)
    report = {
        "commit": git("rev-parse", "--short", "HEAD"),
        "batch_size": args.batch_size,
        **{
            name: {
                "orders_per_s": sorted(r["orders_per_s"] for r in results),
                "seconds": sorted(r["seconds"] for r in results),
                "timed_out": results[0]["timed_out"],
                "exactly_once": all(r["check"]["ok"] for r in results),
                "load_average": [round(r["load_average"], 1) for r in results],
            }
            for name, results in runs.items()
            if results
        },
    }
    report["check_before_timeout"] = {
        label: {
            name: {
                "ms_per_batch": min(r["ms_per_batch"] for r in results),
                "queries_per_batch": results[0]["queries_per_batch"],
                "pass_seconds_min": min(r["pass_seconds_min"] for r in results),
            }
            for name, results in by_variant.items()
        }
        for label, by_variant in checks.items()
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0 if all(runs[name][-1]["check"]["ok"] for name in runs if runs[name]) else 1


if __name__ == "__main__":
    sys.exit(main())
