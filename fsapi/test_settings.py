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
os.environ.setdefault("REDIS_DB_DEFAULT", "8")
os.environ.setdefault("REDIS_DB_CART", "9")
os.environ.setdefault("REDIS_DB_COUPON", "10")
os.environ.setdefault("REDIS_DB_CELERY", "11")
# The suite empties its Redis databases: never a per-purpose Redis named in the environment or
# .env (a developer's own carts); always the databases above of REDIS_URL.
for variable in ("REDIS_CACHE_URL", "REDIS_CART_URL", "REDIS_COUPON_URL", "REDIS_CELERY_URL"):
    os.environ[variable] = ""
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("MEDIA_ROOT", "/tmp/fsapi-test-media")

from fsapi.settings import *  # noqa: E402,F403
from fsapi.settings import BASE_DIR, DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # a file, not pytest-django's in-memory database, so that a real Celery worker process
    # started by a test sees the rows the test committed
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test_db.sqlite3")}

# the worker-crash test's pause after the refund's gateway call (apps/payments/refunds.py)
REFUND_TEST_PAUSE_FILE = os.environ.get("REFUND_TEST_PAUSE_FILE", "")
