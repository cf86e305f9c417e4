"""Prometheus metrics: the requests, and the shop's own counters, served at /metrics to a bearer token.

Counters are incremented by the services after their transaction commits (a rolled-back order
counts nothing). With several processes — gunicorn workers, Celery's prefork children, beat —
set PROMETHEUS_MULTIPROC_DIR to one directory they all share (docker-compose.yml mounts the
`metrics` volume in api, worker and beat): every process writes its own files there and /metrics
sums them, so the worker's time-outs and sweeps show up beside the API's requests. The files are
named by host name and pid, so containers sharing the directory never write the same file.
"""

import hmac
import os
import socket
import time

import prometheus_client
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MULTIPROC_DIR:
    os.makedirs(MULTIPROC_DIR, exist_ok=True)
    # before the first metric is made: files per (host, pid), not per pid, as containers reuse pids
    _host = socket.gethostname().replace("_", "-")
    values.ValueClass = values.MultiProcessValue(process_identifier=lambda: f"{_host}-{os.getpid()}")

REQUESTS = Counter(
    "fsapi_http_requests", "HTTP requests answered, by route, method and status", ["route", "method", "status"]
)
LATENCY = Histogram(
    "fsapi_http_request_duration_seconds",
    "Time spent answering HTTP requests, by route and method",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ORDERS_CREATED = Counter("fsapi_orders_created", "Orders created")
ORDERS_PAID = Counter("fsapi_orders_paid", "Orders paid")
ORDERS_CANCELLED = Counter("fsapi_orders_cancelled", "Orders cancelled (by their owner or an admin)")
ORDERS_TIMED_OUT = Counter("fsapi_orders_timed_out", "Orders timed out, by who did it", ["by"])
NOTIFIES = Counter("fsapi_alipay_notifies", "Alipay notifies received, by outcome", ["outcome"])
REFUNDS_REQUIRED = Counter("fsapi_payments_refund_required", "Payments recorded as needing a refund")
REFUNDS = Counter(
    "fsapi_refunds",
    "Refund steps, by outcome: requested, approved, rejected, refunded, failed, unreachable (a retry follows)",
    ["outcome"],
)
SWEEP_RUNS = Counter("fsapi_sweep_runs", "Runs of the sweep of overdue unpaid orders")
ORDERS_SWEPT = Counter("fsapi_orders_swept", "Orders the sweep timed out")
RECONCILE_QUERIES = Counter(
    "fsapi_reconcile_before_timeout", "Alipay trade queries before a time-out, by outcome", ["outcome"]
)
RECONCILE_MISMATCHES = Counter(
    "fsapi_reconciliation_mismatches", "Mismatches the daily reconciliation with Alipay recorded", ["kind"]
)


def after_commit(counter, amount: float = 1) -> None:
    """Count once the caller's transaction commits (at once outside one)."""
    if amount:
        transaction.on_commit(lambda: counter.inc(amount))


def registry():
    if MULTIPROC_DIR:
        collected = CollectorRegistry()
        MultiProcessCollector(collected, path=MULTIPROC_DIR)
        return collected
    return prometheus_client.REGISTRY


def metrics_view(request):
    """GET /metrics for Prometheus, with `Authorization: Bearer <METRICS_TOKEN>`: no token
    configured → 404 (the endpoint does not exist), a missing or wrong one → 401."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        response = HttpResponse("unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(registry()), content_type=prometheus_client.CONTENT_TYPE_LATEST)


METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class MetricsMiddleware:
    """Counts every answer by its URL route (the pattern, never the raw path: bounded labels)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name) if match else "<unmatched>"
        if route.startswith("^"):  # a regex pattern (the Vue app's routes): its name reads better
            route = match.view_name
        if route == "metrics":
            return response
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        LATENCY.labels(route, method).observe(time.perf_counter() - started)
        return response
