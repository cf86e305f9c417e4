"""Flower as compose runs it (docker/flower.sh): refused to start without a real password, and
behind HTTP basic auth once started; compose publishes it on the host's loopback only."""

import base64
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.celery_worker import wait_for

ROOT = Path(settings.BASE_DIR)
AUTH = "ops:a-real-flower-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flower_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLOWER_")}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",  # the venv's celery
        DJANGO_SETTINGS_MODULE="fsapi.test_settings",
        FLOWER_ADDRESS="127.0.0.1",
        **extra,
    )
    return env


def get(url: str, auth: str | None = None) -> int:
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0  # not listening yet


@pytest.mark.parametrize("auth", [None, "", "ops", "ops:", ":secret", "ops:change-me-flower-password"])
def test_flower_refuses_to_start_without_a_real_password(auth):
    env = flower_env() if auth is None else flower_env(FLOWER_BASIC_AUTH=auth)
    result = subprocess.run(["sh", "docker/flower.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 64 and "FLOWER_BASIC_AUTH" in result.stderr


@pytest.mark.worker
def test_flower_answers_only_with_its_password():
    port = free_port()
    env = flower_env(FLOWER_BASIC_AUTH=AUTH, FLOWER_PORT=str(port))
    process = subprocess.Popen(["sh", "docker/flower.sh"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: get(f"{base}/healthcheck") == 200, timeout=60, what="flower to start")
        assert get(f"{base}/") == 401
        assert get(f"{base}/workers", "ops:wrong") == 401
        assert get(f"{base}/api/workers", None) == 401
        assert get(f"{base}/workers", AUTH) == 200
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_compose_runs_flower_with_auth_on_the_loopback_only():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    flower = compose["services"]["flower"]
    assert flower["command"] == ["sh", "docker/flower.sh"]
    assert all(port.startswith("127.0.0.1:") for port in flower["ports"]), flower["ports"]
    example = (ROOT / ".env.production.example").read_text()
    assert "FLOWER_BASIC_AUTH=" in example
