"""Read what order creation put on the Celery broker (Redis list `celery`) without a worker."""

import base64
import json

import redis
from django.conf import settings


def queued_tasks(name: str) -> list[dict]:
    """[{"kwargs": …, "eta": …}] of the queued messages of task `name`."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    found = []
    for raw in broker.lrange("celery", 0, -1):
        message = json.loads(raw)
        headers = message["headers"]
        if headers["task"] != name:
            continue
        _, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        found.append({"kwargs": kwargs, "eta": headers.get("eta")})
    return found
