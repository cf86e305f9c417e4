"""Settings for the test suite: the same as production-like settings, with Redis databases of
their own (so a running development system keeps its cart and coupons) and a fast hasher."""

import os

from django.core.exceptions import ImproperlyConfigured

if not os.environ.get("REDIS_URL"):
    # the suite empties its Redis databases: never those of whatever answers on 6379
    raise ImproperlyConfigured(
        "The tests need a Redis they may empty: run them with `python3 dev.py test` (it starts one of "
        "its own), or set REDIS_URL to a Redis server you started for them."
    )
os.environ["DEBUG"] = "0"  # tests see what production sees, whatever .env says
os.environ.setdefault("SECRET_KEY", "fsapi-test-secret-key-not-for-production-0123456789")
# pytest-xdist runs the suite in several processes (gw0, gw1, …; `python3 dev.py test` asks for one
# per core, at most four): each gets four Redis databases of its own (gw0 8–11, gw1 12–15, gw2
# 0–3, gw3 4–7), a SQLite file (pytest-django adds the suffix) and a media folder. A Celery worker a
# test starts inherits the variables set here, so it finds the same databases.
TEST_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "")
_process_index = int(TEST_PROCESS.removeprefix("gw") or 0)
if _process_index > 3:
    raise ImproperlyConfigured("At most four test processes (-n 4): each needs four of Redis's 16 databases.")
_PURPOSES = ("REDIS_DB_DEFAULT", "REDIS_DB_CART", "REDIS_DB_COUPON", "REDIS_DB_CELERY")
if "FSAPI_TEST_PROCESS" in os.environ:  # the numbers below were set by this file in a parent process
    if os.environ["FSAPI_TEST_PROCESS"] != TEST_PROCESS:  # xdist's controller: this process gets its own
        for _variable in _PURPOSES:
            os.environ.pop(_variable, None)
elif _process_index and any(map(os.environ.get, _PURPOSES)):
    raise ImproperlyConfigured("REDIS_DB_* given: the test processes would share those databases; run with -n 0.")
os.environ["FSAPI_TEST_PROCESS"] = TEST_PROCESS
for _offset, _variable in enumerate(_PURPOSES):
    os.environ.setdefault(_variable, str((8 + 4 * _process_index + _offset) % 16))
# The suite empties its Redis databases: never a per-purpose Redis named in the environment or
# .env (a developer's own carts); always the databases above of REDIS_URL.
for variable in ("REDIS_CACHE_URL", "REDIS_CART_URL", "REDIS_COUPON_URL", "REDIS_CELERY_URL"):
    os.environ[variable] = ""
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("MEDIA_ROOT", f"/tmp/fsapi-test-media{TEST_PROCESS and '-' + TEST_PROCESS}")

from fsapi.settings import *  # noqa: E402,F403
from fsapi.settings import BASE_DIR, DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # a file, not pytest-django's in-memory database, so that a real Celery worker process
    # started by a test sees the rows the test committed
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test_db.sqlite3")}

# the worker-crash test's pause after the refund's gateway call (apps/payments/refunds.py)
REFUND_TEST_PAUSE_FILE = os.environ.get("REFUND_TEST_PAUSE_FILE", "")
