"""Container health checks (docker-compose.yml): `python docker/healthcheck.py web|worker|beat`.

Exit 0 when healthy, 1 otherwise, with one line saying why. Runs in /app (the image sets
PYTHONPATH=/app, so `fsapi` imports).

- web:    GET /healthz on the local gunicorn (database and Redis answer → 200).
- worker: the Celery worker of this container answers a broadcast ping.
- beat:   the beat scheduler has written its schedule file recently (it syncs it every few
          minutes while it runs; a hung or dead beat stops writing).
"""

import glob
import os
import socket
import sys
import time
import urllib.error
import urllib.request

HEALTH_URL = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000/healthz")
# beat syncs its schedule file at the first tick after 3 minutes; ticks come at least every 5 minutes
BEAT_STALE_AFTER = int(os.environ.get("BEAT_HEALTH_MAX_AGE", "900"))  # seconds


def request_host() -> str:
    """A host name Django accepts: the first of ALLOWED_HOSTS ('.example.com' → 'example.com')."""
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def check_web() -> str | None:
    request = urllib.request.Request(
        HEALTH_URL,
        # X-Forwarded-Proto: the answer a TLS proxy would get, with no redirect to https
        headers={"Host": request_host(), "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=8) as response:
            return None if response.status == 200 else f"/healthz answered {response.status}"
    except urllib.error.HTTPError as exc:
        return f"/healthz answered {exc.code}: {exc.read(200).decode(errors='replace')}"
    except OSError as exc:
        return f"/healthz unreachable: {exc}"


def check_worker() -> str | None:
    from fsapi.celery import app

    node = f"celery@{socket.gethostname()}"
    replies = app.control.ping(destination=[node], timeout=5)
    return None if replies else f"{node} did not answer a ping"


def check_beat() -> str | None:
    from django.conf import settings

    # the file name depends on the dbm module: "name", "name.db" or "name.dat"/".dir"/".bak"
    files = glob.glob(f"{settings.CELERY_BEAT_SCHEDULE_FILENAME}*")
    if not files:
        return "no beat schedule file yet"
    age = time.time() - max(os.path.getmtime(path) for path in files)
    return None if age <= BEAT_STALE_AFTER else f"beat schedule file not written for {age:.0f} s"


CHECKS = {"web": check_web, "worker": check_worker, "beat": check_beat}


def main() -> int:
    if len(sys.argv) != 2 or sys.argv[1] not in CHECKS:
        print(__doc__)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fsapi.settings")
    problem = CHECKS[sys.argv[1]]()
    print(problem or "ok")
    return 1 if problem else 0


if __name__ == "__main__":
    sys.exit(main())
