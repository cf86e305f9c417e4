"""One request id per HTTP request, on every log line of the request and of the Celery tasks it queued.

The id comes from the `X-Request-ID` header a proxy sends (when it looks like an id: at most 64
characters of letters, digits and `-_.:`) or is made here, and goes back in the response header.
It lives in a context variable: `RequestIdFilter` puts it on each log record, and the Celery
signals below carry it in the headers of every task published while it is set, and set it again in
the worker while that task runs.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from celery import signals

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
http_logger = logging.getLogger("fsapi.http")


def current_request_id() -> str | None:
    return request_id.get()


def clean_request_id(value: str | None) -> str:
    """The proxy's id when it is a sane one, else a fresh one (never trust a header into logs)."""
    if value and VALID_ID.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE: every later middleware's and view's log lines carry the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = clean_request_id(request.headers.get(HEADER))
        request.request_id = rid
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            _tag_sentry(rid)
            response = self.get_response(request)
            response[HEADER] = rid
            http_logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            return response
        finally:
            request_id.reset(token)


def _tag_sentry(rid: str) -> None:
    import sentry_sdk

    if sentry_sdk.get_client().is_active():
        sentry_sdk.set_tag("request_id", rid)


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id` (the current id, or "-" outside a request or task)."""

    def filter(self, record):
        record.request_id = request_id.get() or "-"
        return True


def json_formatter():
    """The JSON-lines formatter of LOG_FORMAT=json (one object per line, keys renamed for log shippers)."""
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "%(levelname)s %(name)s %(process)d %(request_id)s %(message)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",  # ISO 8601, UTC
        json_ensure_ascii=False,
    )


# --- Celery: carry the id from the publisher to the task ---------------------------------------


@signals.before_task_publish.connect
def _add_request_id_header(headers=None, **kwargs):
    rid = request_id.get()
    if rid and headers is not None and TASK_HEADER not in headers:
        headers[TASK_HEADER] = rid


_task_tokens: dict[str, object] = {}


def task_request_id(task) -> str | None:
    """The id the publisher put in the task's message headers (None for beat's own tasks)."""
    value = getattr(task.request, TASK_HEADER, None)
    if value is None:
        value = (getattr(task.request, "headers", None) or {}).get(TASK_HEADER)
    return value if isinstance(value, str) and VALID_ID.match(value) else None


@signals.task_prerun.connect
def _set_task_request_id(task_id=None, task=None, **kwargs):
    _task_tokens[task_id] = request_id.set(task_request_id(task))


@signals.task_postrun.connect
def _reset_task_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        request_id.reset(token)
    else:
        request_id.set(None)


def _format_celery_logger(logger=None, **kwargs):
    """Celery's own handlers (task received/succeeded lines) get the filter, and the JSON format
    when LOG_FORMAT=json, so a worker's whole output is one format."""
    from django.conf import settings

    for handler in logger.handlers:
        handler.addFilter(RequestIdFilter())
        if settings.LOG_FORMAT == "json":
            handler.setFormatter(json_formatter())


signals.after_setup_logger.connect(_format_celery_logger, weak=False)
signals.after_setup_task_logger.connect(_format_celery_logger, weak=False)
