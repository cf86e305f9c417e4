"""The Celery app `fsapi`: `celery -A fsapi worker -l info` and `celery -A fsapi beat -l info`.

The broker is whatever CELERY_BROKER_URL names (Redis by default, RabbitMQ in production); the
settings derive the rest from its scheme (see fsapi/settings.py). Every task of the project uses
`Task` below, so a countdown means the same on both brokers.
"""

import math
import os
import threading
from datetime import UTC, datetime

from celery import Celery
from celery import Task as CeleryTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fsapi.settings")


def broker_safe_delay(countdown=None, eta=None) -> tuple:
    """(countdown, eta) that RabbitMQ's native delayed delivery accepts.

    It files a delayed message under the whole seconds of its delay, and a delay between 0 and
    1 s is 0 whole seconds: kombu refuses it with ValueError (the task would not be sent at all).
    Such a delay becomes 1 s (late by under a second, never early); no delay, a negative one or
    one of a second or more is left alone. An `eta` that close is turned into countdown=1.
    """
    if countdown is not None and 0 < countdown < 1:
        return 1, eta
    if eta is not None and countdown is None:
        moment = eta if isinstance(eta, datetime) else datetime.fromisoformat(eta)
        if moment.tzinfo is None:
            return countdown, eta  # Celery reads it in CELERY_TIMEZONE; the project sends none
        seconds = (moment - datetime.now(UTC)).total_seconds()
        if 0 < seconds < 1:
            return math.ceil(seconds), None
    return countdown, eta


_declared = threading.Event()


def declare_delayed_delivery(app) -> None:
    """Declare RabbitMQ's delay exchanges and queues and bind the app's queues to them: what the
    worker does when it starts (celery's DelayedDelivery bootstep), done by a publisher too.

    A countdown is published to the exchange `celery_delayed_27`, which exists only once some
    worker has started on the vhost; before that (a fresh vhost, the API deployed first) the
    publish fails with NOT_FOUND. Declaring is idempotent; each process does it once."""
    from kombu.transport.native_delayed_delivery import (
        bind_queue_to_native_delayed_delivery_exchange,
        declare_native_delayed_delivery_exchanges_and_queues,
    )

    with app.connection_for_write() as connection:
        declare_native_delayed_delivery_exchanges_and_queues(
            connection, app.conf.broker_native_delayed_delivery_queue_type
        )
        for queue in app.amqp.queues.values():
            queue.bind(connection.default_channel).declare()
            bind_queue_to_native_delayed_delivery_exchange(connection, queue)


def uses_native_delayed_delivery(app) -> bool:
    """True when countdowns wait in the broker: RabbitMQ with a quorum queue (see settings)."""
    from celery.utils.quorum_queues import detect_quorum_queues

    return app.conf.broker_url.split(":", 1)[0] in ("amqp", "amqps", "pyamqp") and detect_quorum_queues(app, "amqp")[0]


class Task(CeleryTask):
    """The project's task base: sub-second delays are rounded up to a second (broker_safe_delay),
    and on RabbitMQ the delay exchanges exist before the first delayed publish of a process.
    `retry(countdown=…)` goes through apply_async too."""

    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None,
                    shadow=None, **options):  # fmt: skip
        if options.get("countdown") is not None or options.get("eta") is not None:
            countdown, eta = broker_safe_delay(options.get("countdown"), options.get("eta"))
            options.update(countdown=countdown, eta=eta)
            if not _declared.is_set() and uses_native_delayed_delivery(self.app):
                declare_delayed_delivery(self.app)
                _declared.set()
        return super().apply_async(args, kwargs, task_id, producer, link, link_error, shadow, **options)


app = Celery("fsapi", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# the request id travels from the request to the tasks it queued (signal handlers, on import)
import extension.request_id  # noqa: E402,F401
