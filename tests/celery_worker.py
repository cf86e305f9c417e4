"""Start a real Celery worker (and optionally beat) process against the test database and the
test Redis, for tests that need the real thing rather than a direct call of the task."""

import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def database_url() -> str:
    """DATABASE_URL of the test database the test process is using right now."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = quote(config["USER"] or "")
    password = quote(config["PASSWORD"] or "")
    return f"mysql://{user}:{password}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 3306}/{config['NAME']}"


@contextmanager
def celery_worker(*, beat: bool = False, **env_overrides):
    """A worker process (`celery -A fsapi worker`, with embedded beat when asked) that lives for
    the `with` block; its log is printed when the block fails."""
    log = tempfile.NamedTemporaryFile("w+", prefix="celery-worker-", suffix=".log", delete=False)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fsapi.test_settings",
        "DATABASE_URL": database_url(),
        **{key: str(value) for key, value in env_overrides.items()},
    }
    args = [sys.executable, "-m", "celery", "-A", "fsapi", "worker", "-l", "info", "--pool", "solo",
            "--without-mingle", "--without-gossip", "-n", f"test-{os.getpid()}@%h"]  # fmt: skip
    if beat:
        args += ["-B", "--schedule", str(Path(tempfile.mkdtemp()) / "beat-schedule")]
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log_path = Path(log.name)  # for tests that read what the worker did
    try:
        wait_for(lambda: "ready." in Path(log.name).read_text(), timeout=60, what="the worker to start", log=log)
        yield process
    except BaseException:
        print(Path(log.name).read_text()[-5000:])
        raise
    finally:
        stop_process(process, timeout=20)
        os.unlink(log.name)


def stop_process(process: subprocess.Popen, *, timeout: float) -> None:
    """SIGTERM, then SIGKILL if it has not ended within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(condition, *, timeout: float, what: str, log=None, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    detail = Path(log.name).read_text()[-5000:] if log else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


SEND_COUNTDOWNS = """
import json, sys
import django
django.setup()
from apps.orders.tasks import order_timeout
sent = [order_timeout.apply_async(kwargs={"order_id": i}, countdown=c).id for i, c in json.loads(sys.argv[1])]
print(json.dumps(sent))
"""


def send_countdowns(countdowns, **env_overrides) -> list[str]:
    """`order_timeout` countdowns [(order id, seconds), …], sent as create_order sends them, by a process
    of its own (with the worker's environment: a broker given in `env_overrides` is configured
    from its URL when the settings load). Answers the task ids, in order."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fsapi.test_settings",
        "DATABASE_URL": database_url(),
        **{key: str(value) for key, value in env_overrides.items()},
    }
    done = subprocess.run(
        [sys.executable, "-c", SEND_COUNTDOWNS, json.dumps(list(countdowns))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
