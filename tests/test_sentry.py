"""Sentry: off without SENTRY_DSN; with one, an unexpected error in a view reaches the DSN's
server as an envelope (here a tiny HTTP server of the test's own standing in for Sentry)."""

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.conf import settings

SCRIPT = r"""
import os, sys
from unittest import mock

import django

django.setup()
import sentry_sdk
from django.test import Client
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

client = sentry_sdk.get_client()
assert client.is_active(), "sentry is not initialised"
assert client.get_integration(DjangoIntegration) and client.get_integration(CeleryIntegration)
with mock.patch("extension.health.HealthView.get", side_effect=RuntimeError("boom-for-sentry")):
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="sentry-test-1")
assert response.status_code == 500, response.status_code
sentry_sdk.flush(timeout=20)
print("done")
"""


@pytest.fixture
def fake_sentry():
    """An HTTP server that keeps the bodies of the envelopes posted to it."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            received.append((self.path, body))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


def test_without_a_dsn_sentry_is_not_initialised():
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


def test_an_unexpected_error_in_a_view_is_reported_to_the_dsn(fake_sentry):
    port, received = fake_sentry
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fsapi.test_settings",
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/42",
        "SENTRY_ENVIRONMENT": "ci-test",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "done" in result.stdout, result.stdout + result.stderr

    events = []
    for path, body in received:
        assert path == "/api/42/envelope/"
        for line in body.splitlines():
            if line.startswith(b"{") and b'"exception"' in line:
                events.append(json.loads(line))
    assert events, received
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["exception"]["values"][-1]["value"] == "boom-for-sentry"
    assert event["environment"] == "ci-test"
    assert event["tags"]["request_id"] == "sentry-test-1"
