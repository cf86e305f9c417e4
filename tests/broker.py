"""The Celery broker as tests see it, on either broker: how many task messages are waiting, and
emptying it. RabbitMQ vhosts of a test's own (created and deleted with rabbitmqctl), for the tests
that need a real RabbitMQ; they are skipped when none answers."""

import os
import shutil
import subprocess
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit

import redis
from django.conf import settings
from kombu import Connection

# the RabbitMQ server the RabbitMQ tests make their vhosts on, and the prefix of those vhosts
AMQP_SERVER = os.environ.get("FSAPI_TEST_AMQP_SERVER", "amqp://guest:guest@127.0.0.1:5672")
VHOST_PREFIX = os.environ.get("FSAPI_TEST_VHOST_PREFIX", "fsapi_broker_test")
DELAY_QUEUES = [f"celery_delayed_{level}" for level in range(28)]


def is_amqp(url: str | None = None) -> bool:
    return urlsplit(url or settings.CELERY_BROKER_URL).scheme in ("amqp", "amqps", "pyamqp")


def _ready_messages(connection, queue: str) -> int:
    """Ready messages of `queue` (0 when it does not exist yet), by a passive declare."""
    channel = connection.channel()
    try:
        return channel.queue_declare(queue=queue, passive=True).message_count
    except connection.channel_errors:
        return 0
    finally:
        try:
            channel.close()
        except Exception:  # the broker closes a channel whose passive declare failed
            pass


def pending_tasks(url: str | None = None) -> int:
    """Task messages on the broker that no worker finished: on Redis the queue and what workers
    reserved (`unacked`); on RabbitMQ the ready messages of the queue and of the delay queues
    (a message delivered to a worker and not acknowledged yet is not counted there)."""
    url = url or settings.CELERY_BROKER_URL
    if not is_amqp(url):
        client = redis.Redis.from_url(url)
        return client.llen("celery") + client.hlen("unacked")
    with Connection(url) as connection:
        return sum(_ready_messages(connection, queue) for queue in ["celery", *DELAY_QUEUES])


def ready_tasks(url: str, queue: str = "celery") -> int:
    """Messages of `queue` ready for a worker (not those delivered and unacknowledged)."""
    with Connection(url) as connection:
        return _ready_messages(connection, queue)


def delayed_tasks(url: str) -> int:
    """Task messages waiting in RabbitMQ's delay queues (native delayed delivery), by passive
    declares: quick, where rabbitmqctl takes seconds. Nothing consumes a delay queue, so none of
    its messages is ever unacknowledged: its ready count is all it holds."""
    with Connection(url) as connection:
        return sum(_ready_messages(connection, queue) for queue in DELAY_QUEUES)


def purge(url: str | None = None) -> None:
    """Drop every waiting task message (a lost countdown)."""
    url = url or settings.CELERY_BROKER_URL
    if not is_amqp(url):
        redis.Redis.from_url(url).delete("celery", "unacked", "unacked_index")
        return
    with Connection(url) as connection:
        for queue in ["celery", *DELAY_QUEUES]:
            channel = connection.channel()
            try:
                channel.queue_purge(queue)
            except connection.channel_errors:
                pass  # not declared yet on this vhost


def rabbitmqctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, text=True, timeout=120).stdout


def rabbitmq_answers() -> str | None:
    """None when the tests can make vhosts on AMQP_SERVER, else why not."""
    if not shutil.which("rabbitmqctl"):
        return "no rabbitmqctl on PATH"
    try:
        with Connection(AMQP_SERVER, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:
        return f"no RabbitMQ answers on {urlsplit(AMQP_SERVER).hostname}:{urlsplit(AMQP_SERVER).port}: {exc}"
    return None


@contextmanager
def rabbitmq_vhost():
    """A vhost of this test's own (the delay queues are shared per vhost), guest allowed on it;
    answers its broker URL; deleted, with everything on it, afterwards."""
    name = f"{VHOST_PREFIX}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    user = urlsplit(AMQP_SERVER).username or "guest"
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        yield f"{AMQP_SERVER.rstrip('/')}/{name}"
    finally:
        rabbitmqctl("delete_vhost", name)


def queue_counts(url: str) -> dict[str, tuple[int, int]]:
    """{queue: (ready, unacknowledged)} of the vhost of `url` (rabbitmqctl)."""
    vhost = urlsplit(url).path.lstrip("/") or "/"
    out = rabbitmqctl(
        "list_queues", "-p", vhost, "--no-table-headers", "-q", "name", "messages_ready", "messages_unacknowledged"
    )
    rows = [line.split() for line in out.splitlines() if line.strip()]
    return {name: (int(ready), int(unacked)) for name, ready, unacked in rows}
