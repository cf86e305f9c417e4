"""The Celery app `fsapi`: `celery -A fsapi worker -l info` and `celery -A fsapi beat -l info`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fsapi.settings")

app = Celery("fsapi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# the request id travels from the request to the tasks it queued (signal handlers, on import)
import extension.request_id  # noqa: E402,F401
