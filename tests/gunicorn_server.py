"""Start the API under a real gunicorn, with the command line the Docker image runs (its CMD),
against the test database and the test Redis, for tests about what goes over the wire."""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from tests.celery_worker import ROOT, database_url, stop_process, wait_for


def image_command() -> list[str]:
    """The Dockerfile's CMD (the API's), as a list."""
    found = re.findall(r"^CMD (\[.*\])\s*$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert found, "no CMD in the Dockerfile"
    return json.loads(found[-1])


def http_port() -> int:
    """FSAPI_TEST_HTTP_PORT when several test runs share a machine, else a free port."""
    if os.environ.get("FSAPI_TEST_HTTP_PORT"):
        return int(os.environ["FSAPI_TEST_HTTP_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def gunicorn_server(*, cmd_args: str = ""):
    """gunicorn as the image runs it (GUNICORN_CMD_ARGS = `cmd_args` adds options, as operators
    do), bound to 127.0.0.1; yields the port."""
    port = http_port()
    command = image_command()
    assert command[0] == "gunicorn"
    command = [sys.executable, "-m", "gunicorn", *command[1:]]
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile("w+", prefix="gunicorn-", suffix=".log", delete=False)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fsapi.test_settings",
        "DATABASE_URL": database_url(),
        "GUNICORN_CMD_ARGS": cmd_args,
    }
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(
            lambda: process.poll() is None and "Booting worker" in Path(log.name).read_text() and _answers(port),
            timeout=60,
            what="gunicorn to start",
            log=log,
        )
        yield port
    except BaseException:
        print(Path(log.name).read_text()[-5000:])
        raise
    finally:
        stop_process(process, timeout=30)
        os.unlink(log.name)
