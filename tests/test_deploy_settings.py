"""Production settings (DEBUG off): `manage.py check --deploy` is clean, and the settings refuse
to load without a real SECRET_KEY. Each runs Django in a subprocess with a production environment."""

import os
import secrets
import subprocess
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

ROOT = settings.BASE_DIR


def pem_files(tmp_path) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = tmp_path / "app_private_key.pem"
    public = tmp_path / "alipay_public_key.pem"
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return str(private), str(public)


def production_env(tmp_path, **overrides) -> dict:
    """What an operator sets in production; nothing from the test run or a developer's .env
    leaks in (explicit variables win over .env, which django-environ only fills in)."""
    private, public = pem_files(tmp_path)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "fsapi.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "api.example.com",
        "CORS_ALLOWED_ORIGINS": "https://www.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379",  # not contacted by the checks
        "ALIPAY_APP_ID": "2021000000000001",
        "ALIPAY_APP_PRIVATE_KEY": private,
        "ALIPAY_PUBLIC_KEY": public,
        "ALIPAY_DEBUG": "0",
        "ALIPAY_RETURN_URL": "https://www.example.com/alipay",
        "ALIPAY_NOTIFY_URL": "https://api.example.com/payments/alipay/notify/",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_checks_are_clean_in_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_hardened(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000, "
        "s.SECURE_SSL_REDIRECT, s.ALIPAY_SANDBOX)"
    )
    result = manage(production_env(tmp_path), "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "False"]


def test_settings_refuse_to_start_without_a_secret_key(tmp_path):
    for secret in (None, "", "short-secret"):
        result = manage(production_env(tmp_path, SECRET_KEY=secret), "check")
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr and "ImproperlyConfigured" in result.stderr


def test_the_image_serves_the_api_with_sync_workers_two_per_core():
    """The checkout is CPU-bound once its queries are compiled once: threads sharing a worker's
    GIL lengthened create's p99 twofold (bench/RESULTS.md, checkout), so the image runs sync
    workers (one request each; nginx buffers slow clients), WEB_CONCURRENCY of them, 4 unless
    the deployment says otherwise."""
    import re

    from tests.gunicorn_server import ROOT, image_command

    command = image_command()
    assert "--threads" not in command and "--worker-class" not in command and "-k" not in command
    assert re.search(r"^ENV WEB_CONCURRENCY=4$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
