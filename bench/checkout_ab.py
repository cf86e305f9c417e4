"""The checkout cycle before and after, in one run on the same machine: alternating rounds of
`bench.create_cancel` (20 users: 2 cart adds + create + cancel, invariants checked each round)
against gunicorn serving an older commit and this checkout.

    python -m bench.checkout_ab [--before 1ee2668] [--rounds 3] [--seconds 20] [--port 8201]

"before" is `--before` (a commit; default the one before the checkout work began) checked out
into a temporary git worktree, served as the bench served it then: 4 sync workers. "after" is
this checkout's work tree, served with the worker model of the Docker image's CMD (its
`--threads`), 4 workers. Same database, Redis and data for both (the data set of
`bench.dataset`: the `bench_buyer_*` users). The shared machine's load moves every figure, so
the rounds alternate (and who goes first alternates), each round prints the server's CPU per
order beside its throughput (what load moves least), and the report gives every round. The
temporary worktree is removed afterwards.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4
# the commit before the checkout work began (the last of the broker work): every figure of the
# checkout target in bench/RESULTS.md is against it
BASELINE = "1ee2668"


def image_threads() -> int:
    """The `--threads` of the Dockerfile's CMD (1 when it has none: sync workers)."""
    cmd = re.findall(r"^CMD (\[.*\])\s*$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)[-1]
    args = json.loads(cmd)
    return int(args[args.index("--threads") + 1]) if "--threads" in args else 1


def one_round(root: Path, threads: int, seconds: float, port: int) -> dict:
    args = [sys.executable, "-m", "bench.create_cancel", "--seconds", str(seconds), "--port", str(port),
            "--workers", str(WORKERS), "--threads", str(threads), "--app-root", str(root)]  # fmt: skip
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
    out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    result = json.loads(out[out.index("{") :])
    result["load_average"] = os.getloadavg()[0]
    return result


def summary(runs: list[dict]) -> dict:
    span = lambda values: [min(values), max(values)]  # noqa: E731
    return {
        "orders_per_s": span([r["orders_per_s"] for r in runs]),
        "create_p50_ms": span([r["latency_ms"]["create"]["p50"] for r in runs]),
        "create_p99_ms": span([r["latency_ms"]["create"]["p99"] for r in runs]),
        "cancel_p99_ms": span([r["latency_ms"]["cancel"]["p99"] for r in runs]),
        "server_cpu_ms_per_order": span([r["cpu"]["server_ms_per_order"] for r in runs]),
        "non_2xx": sum(n for r in runs for key, n in r["answers"].items() if not key.endswith((" 200", " 201"))),
        "invariants_ok": all(r["check"]["ok"] for r in runs),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BASELINE, help=f"commit served as 'before' (default: {BASELINE})")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--port", type=int, default=8201)
    args = parser.parse_args(argv)
    commit = subprocess.run(["git", "rev-parse", args.before], cwd=ROOT, capture_output=True, text=True, check=True)
    commit = commit.stdout.strip()
    here = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    threads = image_threads()
    before_root = Path(tempfile.mkdtemp(prefix="fsapi-checkout-before-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(before_root), commit], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    runs = {"before": [], "after": []}
    try:
        for n in range(args.rounds):
            sides = [("before", before_root, 1), ("after", ROOT, threads)]
            for name, root, t in sides if n % 2 == 0 else sides[::-1]:  # who goes first alternates too
                began = time.monotonic()
                result = one_round(root, t, args.seconds, args.port)
                runs[name].append(result)
                print(f"round {n + 1} {name:6}: {result['orders_per_s']:6.1f} orders/s, create p50/p99 "
                      f"{result['latency_ms']['create']['p50']}/{result['latency_ms']['create']['p99']} ms, "
                      f"server CPU {result['cpu']['server_ms_per_order']} ms/order, answers {result['answers']}, "
                      f"invariants {'OK' if result['check']['ok'] else 'BROKEN'}, "
                      f"load {result['load_average']:.1f} ({time.monotonic() - began:.0f} s)", flush=True)  # fmt: skip
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(before_root)], cwd=ROOT, check=False)
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=False)
    before_rates = [r["orders_per_s"] for r in runs["before"]]
    after_rates = [r["orders_per_s"] for r in runs["after"]]
    ratios = [a / b for a, b in zip(after_rates, before_rates, strict=True) if b]
    cpu_before = [r["cpu"]["server_ms_per_order"] for r in runs["before"]]
    cpu_after = [r["cpu"]["server_ms_per_order"] for r in runs["after"]]
    cpu_ratios = [b / a for a, b in zip(cpu_after, cpu_before, strict=True) if a]
    report = {
        "before": {"commit": commit, "workers": WORKERS, "threads": 1, **summary(runs["before"])},
        "after": {"commit": here.stdout.strip(), "workers": WORKERS, "threads": threads, **summary(runs["after"])},
        "ratio_per_round": [round(r, 2) for r in ratios],
        "cpu_ratio_per_round": [round(r, 2) for r in cpu_ratios],  # before's server CPU per order / after's
        "seconds_per_round": args.seconds,
        "runs": runs,
    }
    out = ROOT / "bench" / "results" / "checkout_ab.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k != "runs"}, indent=1))
    return 0 if report["before"]["invariants_ok"] and report["after"]["invariants_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
