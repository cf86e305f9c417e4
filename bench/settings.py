"""Settings of the benchmark processes: the product's settings, production-like (DEBUG off, which
also stops Django from recording every query), Redis databases of their own, and `bench.urls`,
which adds a bare endpoint to compare against. Nothing here changes how the product behaves."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "fsapi-bench-secret-key-not-for-production-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # wrk talks plain HTTP on loopback
os.environ.setdefault("REDIS_DB_DEFAULT", "1")
os.environ.setdefault("REDIS_DB_CART", "2")
os.environ.setdefault("REDIS_DB_COUPON", "3")
os.environ.setdefault("REDIS_DB_CELERY", "6")
for variable in ("REDIS_CACHE_URL", "REDIS_CART_URL", "REDIS_COUPON_URL", "REDIS_CELERY_URL"):
    os.environ[variable] = ""  # the bench empties its databases: only those above of REDIS_URL
os.environ.setdefault("ORDER_TIMEOUT", "3600")  # the loaded overdue orders are 2+ hours old

from fsapi.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
