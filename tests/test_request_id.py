"""A request id per HTTP request: taken from X-Request-ID (when sane) or made, answered in the
response header, on every JSON log line of the request, and carried into the Celery tasks the
request queued — through the message headers, into a real worker's log lines."""

import io
import json
import logging
import re

import pytest
import redis
from django.conf import settings

from apps.cart import redis_store
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from conftest import client_for
from extension.request_id import RequestIdFilter, json_formatter
from tests import broker
from tests.celery_worker import celery_worker, wait_for

RID = "proxy-7f3c9a1e.req:42"


@pytest.fixture
def json_lines():
    """The `fsapi` loggers' lines as the LOG_FORMAT=json handler writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("fsapi")
    logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)


def queued_headers(task: str) -> list[dict]:
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    messages = [json.loads(raw) for raw in broker.lrange("celery", 0, -1)]
    return [message["headers"] for message in messages if message["headers"]["task"] == task]


def place_order(client, **headers):
    redis_store.add_lines(client.user.id, [CourseFactory().id])
    response = client.post("/order/", {"pay_type": 0}, format="json", **headers)
    assert response.status_code == 201, response.json()
    return response


@pytest.mark.django_db(transaction=True)  # real commits: the countdown is queued inside the request
def test_the_proxys_request_id_is_answered_and_on_every_log_line_of_the_request(user, json_lines):
    response = place_order(client_for(user), HTTP_X_REQUEST_ID=RID)

    assert response["X-Request-ID"] == RID
    lines = json_lines()
    assert {line["logger"] for line in lines} >= {"fsapi.orders", "fsapi.http"}
    assert all(line["request_id"] == RID for line in lines), lines
    created = next(line for line in lines if line["logger"] == "fsapi.orders")
    assert created["level"] == "INFO" and "created" in created["message"] and "time" in created
    # the countdown it queued carries the id in its message headers
    assert [headers["request_id"] for headers in queued_headers("order_timeout")] == [RID]


@pytest.mark.django_db
@pytest.mark.parametrize("sent", [None, "", "has spaces in it", "x" * 65, "ünïcode", "a\nb"])
def test_without_a_usable_header_a_fresh_id_is_made(api_client, json_lines, sent):
    headers = {} if sent is None else {"HTTP_X_REQUEST_ID": sent}
    first = api_client.get("/course/direction/", **headers)["X-Request-ID"]
    second = api_client.get("/course/direction/", **headers)["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second
    assert [line["request_id"] for line in json_lines()] == [first, second]


def test_log_lines_outside_a_request_say_so(json_lines):
    logging.getLogger("fsapi.test").warning("no request here")
    assert json_lines()[0]["request_id"] == "-"


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_the_task_a_request_queued_logs_with_the_requests_id_in_a_real_worker(user, settings, tmp_path):
    settings.ORDER_TIMEOUT = 1
    order_id = place_order(client_for(user), HTTP_X_REQUEST_ID=RID).json()["data"]["id"]
    if not broker.is_amqp():  # on RabbitMQ the countdown waits in a delay queue; the worker shows the id
        assert [headers["request_id"] for headers in queued_headers("order_timeout")] == [RID]

    with celery_worker(ORDER_TIMEOUT=1, ORDER_SWEEP_INTERVAL=3600, LOG_FORMAT="json") as worker:

        def json_lines(matching):
            lines = [json.loads(raw) for raw in worker.log_path.read_text().splitlines() if raw.startswith("{")]
            return [line for line in lines if matching(line)]

        def timed_out(line):
            return line.get("logger") == "fsapi.orders" and "timed out" in line.get("message", "")

        def succeeded(line):  # Celery's own line, written a moment after the task's
            return "succeeded" in line.get("message", "")

        wait_for(lambda: json_lines(timed_out) and json_lines(succeeded), timeout=45, what="the order timed out")
        assert json_lines(timed_out)[0]["request_id"] == RID
        # Celery's own lines (task received / succeeded) are JSON with the id too
        assert json_lines(succeeded)[0]["request_id"] == RID
    assert Order.objects.get(pk=order_id).order_status == Order.Status.TIMEOUT
