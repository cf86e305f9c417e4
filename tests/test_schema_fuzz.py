"""schemathesis against /api/schema/, in-process (the Django WSGI app), as a logged-in customer:
every operation and method answers without a 5xx, in the shape and with a status its schema
documents, and every error is the envelope {code, message, data} with `code` = the HTTP status.

FUZZ_EXAMPLES (default 15) bounds the examples per operation so CI stays quick;
`bench/fuzz.sh` runs the same test with many more.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.cart import redis_store
from apps.coupon.services import mirror_coupon_logs
from apps.coupon.tests.factories import CouponLogFactory
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.orders.services import create_order
from apps.payments.tests.factories import OrderFactory
from apps.users.tokens import token_pair
from extension.schema import PLAIN_PATHS
from fsapi.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


def answers_in_the_envelope(ctx, response, case):
    """Errors are always the envelope with code = status; successes too, but for the plain
    login/refresh objects and the notify's text."""
    plain = case.operation.path.startswith(PLAIN_PATHS)
    if "text/plain" in response.headers.get("content-type", [""])[0]:
        assert plain, f"{case.operation.path} answered plain text"
        return None
    if plain and response.status_code < 400:
        return None
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"code", "message", "data"}, f"not the envelope: {body!r}"
    expected = 200 if response.status_code < 300 else response.status_code
    assert body["code"] == expected, f"code {body['code']} for HTTP {response.status_code}"
    assert isinstance(body["message"], str) and body["message"], "an empty message"
    assert "Traceback" not in body["message"] and " object at 0x" not in body["message"]
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    answers_in_the_envelope,
]


@pytest.fixture
def in_process_wsgi():
    """Django's test client keeps the test's database connection open across requests; calling
    the WSGI app directly would close it at the end of each request: do what the client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def customer(user, settings, tmp_path, django_capture_on_commit_callbacks):
    """The test user with something in every place: cart lines, a coupon, an unpaid order; the
    local Alipay sandbox stands in for Alipay."""
    settings.ALIPAY_APP_ID = ""
    settings.ALIPAY_SANDBOX = True
    settings.ALIPAY_SANDBOX_DIR = tmp_path
    courses = [CourseFactory(credit=50) for _ in range(3)]
    log = CouponLogFactory(user=user)
    mirror_coupon_logs([log.id])
    redis_store.add_lines(user.id, [courses[0].id])
    with django_capture_on_commit_callbacks(execute=True):
        create_order(user=user, pay_type=0, credit=10)
    redis_store.add_lines(user.id, [course.id for course in courses[1:]])
    # a paid order, for 申请退款 (POST/GET /order/<id>/refund/)
    paid = OrderFactory(user=user)
    Order.objects.filter(pk=paid.pk).update(order_status=Order.Status.PAID, pay_time=timezone.now())
    return user


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_documented_envelopes_and_never_a_5xx(case, customer, in_process_wsgi):
    access, _ = token_pair(customer)
    case.call_and_validate(headers={"Authorization": f"jwt {access}"}, checks=CHECKS)
