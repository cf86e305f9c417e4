"""The broker and the Redis of each purpose follow from URLs alone: the settings loaded (in a
process of their own) with a given environment, and what the Celery app makes of them; sub-second
countdowns; and, on a real RabbitMQ vhost of the test's own, countdowns and a task's retry
published the way the settings say (delay queues, no ValueError, no KeyError)."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from fsapi.celery import Task, broker_safe_delay
from tests import broker
from tests.celery_worker import wait_for

ROOT = settings.BASE_DIR
PURPOSE_URLS = ("REDIS_CACHE_URL", "REDIS_CART_URL", "REDIS_COUPON_URL", "REDIS_CELERY_URL")

SHOW = """
import json
import django
django.setup()
from django.conf import settings as s
from fsapi.celery import app, uses_native_delayed_delivery
queue = app.amqp.queues[app.conf.task_default_queue]
print(json.dumps({
    "caches": {alias: c["LOCATION"] for alias, c in s.CACHES.items()},
    "cache_prefix": s.CACHES["default"].get("KEY_PREFIX"),
    "redis_urls": s.REDIS_URLS,
    "broker": app.conf.broker_url,
    "results": app.conf.result_backend,
    "queue_type": (queue.queue_arguments or {}).get("x-queue-type", "classic"),
    "exchange": [queue.exchange.name, queue.exchange.type],
    "native_delayed_delivery": uses_native_delayed_delivery(app),
    "acks_late": app.conf.task_acks_late,
    "prefetch": app.conf.worker_prefetch_multiplier,
    "transport": app.conf.broker_transport_options,
}))
"""


def loaded(tmp_path, **variables) -> dict:
    """The settings and Celery app of a process started with `variables` (and nothing of this
    test run's or a developer's .env: every variable read here is given, empty if unset)."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "fsapi.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        **{name: "" for name in PURPOSE_URLS},
        **variables,
    }
    done = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_one_redis_url_gives_each_purpose_its_logical_database_as_before(tmp_path):
    shown = loaded(tmp_path, REDIS_URL="redis://r.example:6380/3")
    assert shown["caches"] == {
        "default": "redis://r.example:6380/0",
        "cart": "redis://r.example:6380/4",
        "coupon": "redis://r.example:6380/5",
    }
    assert shown["broker"] == shown["results"] == "redis://r.example:6380/14"
    assert shown["cache_prefix"] == "cache"


def test_the_logical_database_knobs_still_move_a_purpose(tmp_path):
    shown = loaded(tmp_path, REDIS_URL="redis://r.example:6380", REDIS_DB_CART="7", REDIS_DB_CELERY="9")
    assert shown["caches"]["cart"] == "redis://r.example:6380/7"
    assert shown["broker"] == "redis://r.example:6380/9"
    assert shown["caches"]["coupon"] == "redis://r.example:6380/5"


def test_each_purpose_may_have_a_redis_of_its_own(tmp_path):
    shown = loaded(
        tmp_path,
        REDIS_URL="redis://shared:6379",
        REDIS_CACHE_URL="redis://cache:6379/0",
        REDIS_CART_URL="redis://:secret@carts:6379/2",
        REDIS_CELERY_URL="redis://celery:6379",
    )
    assert shown["caches"] == {
        "default": "redis://cache:6379/0",
        "cart": "redis://:secret@carts:6379/2",
        "coupon": "redis://shared:6379/5",  # not given: REDIS_URL on its database
    }
    assert shown["broker"] == shown["results"] == "redis://celery:6379"


def test_the_redis_broker_keeps_countdowns_in_workers_with_a_long_visibility_timeout(tmp_path):
    shown = loaded(tmp_path, REDIS_URL="redis://r:6379")
    assert shown["queue_type"] == "classic"
    assert shown["native_delayed_delivery"] is False
    assert shown["transport"]["visibility_timeout"] >= 900 + 3600
    assert shown["acks_late"] is True and shown["prefetch"] == 1


def test_an_amqp_broker_url_switches_to_quorum_queues_with_native_delayed_delivery(tmp_path):
    shown = loaded(tmp_path, REDIS_URL="redis://r:6379", CELERY_BROKER_URL="amqp://shop:pw@mq:5672/fsapi")
    assert shown["broker"] == "amqp://shop:pw@mq:5672/fsapi"
    assert shown["queue_type"] == "quorum"
    assert shown["exchange"] == ["celery", "topic"]  # a direct exchange would bring back in-worker countdowns
    assert shown["native_delayed_delivery"] is True
    assert shown["acks_late"] is True and shown["prefetch"] == 1
    assert shown["transport"] == {"confirm_publish": True}
    assert shown["results"] == "redis://r:6379/14"  # results stay in Redis


def test_the_test_settings_never_use_a_per_purpose_redis_from_the_environment(tmp_path):
    """The suite empties its databases: a developer's REDIS_CART_URL must not be one of them."""
    shown = loaded(
        tmp_path,
        DJANGO_SETTINGS_MODULE="fsapi.test_settings",
        REDIS_URL="redis://r:6379",
        REDIS_CART_URL="redis://my-carts:6379/0",
    )
    assert shown["caches"]["cart"] == "redis://r:6379/9"


@pytest.mark.parametrize(
    ("process", "inherited", "cart"),
    [
        ("", {}, 9),
        ("gw0", {}, 9),
        ("gw1", {}, 13),
        ("gw2", {}, 1),
        ("gw3", {}, 5),
        # xdist's controller loaded the settings first and left its numbers in the environment
        ("gw1", {"FSAPI_TEST_PROCESS": "", "REDIS_DB_CART": "9"}, 13),
        # a Celery worker a test of gw1 started: the numbers its parent chose
        ("gw1", {"FSAPI_TEST_PROCESS": "gw1", "REDIS_DB_CART": "13"}, 13),
    ],
)
def test_each_test_process_has_redis_databases_of_its_own(tmp_path, process, inherited, cart):
    """pytest-xdist's processes empty their databases: no two may share one (gw0 8–11, gw1 12–15…)."""
    shown = loaded(
        tmp_path,
        DJANGO_SETTINGS_MODULE="fsapi.test_settings",
        REDIS_URL="redis://r:6379",
        PYTEST_XDIST_WORKER=process,
        **inherited,
    )
    assert shown["caches"]["cart"] == f"redis://r:6379/{cart}"


def test_redis_databases_given_by_hand_are_refused_in_a_second_test_process(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "fsapi.test_settings",
        "REDIS_URL": "redis://r:6379",
        "REDIS_DB_CART": "2",
        "PYTEST_XDIST_WORKER": "gw1",
    }
    done = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "REDIS_DB_* given" in done.stderr


@pytest.mark.parametrize(
    ("countdown", "expected"),
    [(None, None), (0, 0), (-3, -3), (0.001, 1), (0.4, 1), (0.999, 1), (1, 1), (1.5, 1.5), (900, 900)],
)
def test_sub_second_countdowns_become_one_second(countdown, expected):
    assert broker_safe_delay(countdown, None) == (expected, None)


def test_an_eta_under_a_second_away_becomes_a_one_second_countdown():
    soon = datetime.now(UTC) + timedelta(milliseconds=300)
    assert broker_safe_delay(None, soon) == (1, None)
    later = datetime.now(UTC) + timedelta(seconds=30)
    assert broker_safe_delay(None, later) == (None, later)


def test_every_task_of_the_project_uses_the_guarded_base():
    from apps.orders.tasks import expire_overdue_orders, order_timeout
    from apps.payments.tasks import close_alipay_trade

    for task in (order_timeout, expire_overdue_orders, close_alipay_trade):
        assert isinstance(task._get_current_object(), Task)


PUBLISH = """
import json, sys
import django
django.setup()
from celery.exceptions import Retry
from apps.orders.tasks import order_timeout
from apps.payments.tasks import close_alipay_trade, close_retry_countdown
sent = {
    "sub_second": order_timeout.apply_async(kwargs={"order_id": 10**15}, countdown=0.4).id,
    "timeout": order_timeout.apply_async(kwargs={"order_id": 10**15 + 1}, countdown=900).id,
}
# close_alipay_trade retrying as it does in a worker: the request of a delivered (delayed) message
task = close_alipay_trade._get_current_object()
task.push_request(id="retry-1", args=["202612010000000000000001"], kwargs={}, retries=0, called_directly=False,
                  delivery_info={"exchange": "celery_delayed_delivery", "priority": 0,
                                 "routing_key": ".".join("0" * 28) + ".celery"})
try:
    task.retry(countdown=close_retry_countdown(3), exc=RuntimeError("gateway down"))
except Retry:
    sent["retry"] = "retry-1"
print(json.dumps(sent))
"""


@pytest.mark.rabbitmq
def test_countdowns_and_retries_are_published_into_rabbitmq_delay_queues(tmp_path):
    reason = broker.rabbitmq_answers()
    if reason:
        pytest.skip(reason)
    with broker.rabbitmq_vhost() as url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "fsapi.test_settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "CELERY_BROKER_URL": url,
        }
        done = subprocess.run([sys.executable, "-c", PUBLISH], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        assert set(json.loads(done.stdout.strip().splitlines()[-1])) == {"sub_second", "timeout", "retry"}

        def counts():
            return broker.ready_tasks(url), broker.delayed_tasks(url)

        # the 0.4 s countdown went out as 1 s and is due at once; the 900 s one and the retry wait
        wait_for(lambda: counts() == (1, 2), timeout=60, what="1 due and 2 delayed messages")


SCHEDULE = """
import django
django.setup()
from apps.orders.services import schedule_timeout
schedule_timeout(10**15)
print("returned")
"""


@pytest.mark.fault
def test_an_unreachable_rabbitmq_does_not_fail_scheduling_a_time_out(tmp_path):
    """schedule_timeout (after an order's commit) logs and returns; beat's sweep covers the order.
    Also when the delay exchanges cannot be declared first (nothing answers on the port)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fsapi.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:1/nowhere",  # port 1: refused at once
    }
    done = subprocess.run([sys.executable, "-c", SCHEDULE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("returned")
    assert "could not schedule the time-out of order 1000000000000000; the sweep will" in done.stderr
