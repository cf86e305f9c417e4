"""Greps over the code base (apps/, extension/, fsapi/; tests and migrations left out) proving
that each store has one writer (README "Architecture"; issue 15). The credit and money ledgers'
own grep is apps/users/tests/test_ledgers.py::test_only_the_users_app_writes_credit_money_and_their_ledgers.
The import rules between apps are import-linter's (.importlinter, `lint-imports` in CI)."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# the connections and the cache API: only an app's redis_store.py opens them (extension/health.py
# pings every connection)
REDIS_ACCESS = re.compile(r"get_redis_connection|from django\.core\.cache import|caches\[")
REDIS_ACCESS_ALLOWED = {"extension/health.py"}
# the cart's keys and store: `cart_{user_id}` hashes and apps/cart/redis_store.py
CART_STORE = re.compile(
    r"""cart\.redis_store|from apps\.cart import redis_store|["']cart_\{|get_redis_connection\(["']cart"""
)
# the order counter lives on the carts' (persistent) Redis, and is the orders app's
CART_CONNECTION_ALLOWED = {"apps/orders/redis_store.py"}
# another app's Redis store, imported from outside that app
FOREIGN_STORE = re.compile(
    r"from apps\.(\w+) import redis_store|from apps\.(\w+)\.redis_store import|apps\.(\w+)\.redis_store"
)


def _code_lines():
    for folder in ("apps", "extension", "fsapi"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "tests" in relative.parts or "migrations" in relative.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                yield relative, number, line


def test_only_redis_store_modules_open_redis():
    offenders = [
        f"{relative}:{number}: {line.strip()}"
        for relative, number, line in _code_lines()
        if REDIS_ACCESS.search(line) and relative.name != "redis_store.py" and str(relative) not in REDIS_ACCESS_ALLOWED
    ]
    assert offenders == []


def test_only_the_cart_app_touches_the_cart_keys():
    offenders = [
        f"{relative}:{number}: {line.strip()}"
        for relative, number, line in _code_lines()
        if CART_STORE.search(line)
        and relative.parts[:2] != ("apps", "cart")
        and str(relative) not in CART_CONNECTION_ALLOWED
    ]
    assert offenders == []


def test_no_app_imports_another_apps_redis_store():
    offenders = []
    for relative, number, line in _code_lines():
        match = FOREIGN_STORE.search(line)
        if match and relative.parts[:2] != ("apps", next(group for group in match.groups() if group)):
            offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_cart_lines_are_changed_only_by_cart_services():
    """Inside the cart app too, only services.py calls the store's writers."""
    writers = re.compile(
        r"\b(redis_store|cart_store)\.(add_line|add_lines|add_line_within_limit|set_selected|set_all_selected|remove_lines)\("
    )
    offenders = [
        f"{relative}:{number}: {line.strip()}"
        for relative, number, line in _code_lines()
        if writers.search(line) and str(relative) != "apps/cart/services.py"
    ]
    assert offenders == []
