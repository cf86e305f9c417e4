"""/metrics: not for the public (no token configured → 404, a wrong or missing one → 401), and
it counts what the shop does — requests, orders created, cancelled and timed out, sweeps — also
when the counting happened in a Celery worker process (PROMETHEUS_MULTIPROC_DIR shared)."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from apps.cart import redis_store
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.orders.services import create_order
from apps.orders.tasks import expire_overdue_orders
from apps.orders.tests.factories import make_overdue
from apps.users.tests.factories import UserFactory
from conftest import client_for
from extension import metrics
from tests.celery_worker import celery_worker, wait_for
from tests.metrics_helpers import Delta, sample

TOKEN = "scrape-token-for-the-tests-0123456789"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> dict[tuple, float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_without_a_configured_token_there_is_no_endpoint(api_client, settings):
    settings.METRICS_TOKEN = ""
    response = api_client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404 and response.json()["code"] == 404


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"jwt {TOKEN}"])
def test_a_missing_or_wrong_token_is_refused(api_client, metrics_token, header):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = api_client.get("/metrics", **extra)
    assert response.status_code == 401
    assert b"fsapi_" not in response.content


@pytest.mark.django_db
def test_requests_are_counted_by_route_and_status(api_client, metrics_token):
    labels = {"route": "course/direction/", "method": "GET", "status": "200"}
    with Delta("fsapi_http_requests_total", **labels) as requests:
        api_client.get("/course/direction/")
        api_client.get("/course/direction/")
    assert requests.value == 2
    samples = scrape(api_client)
    assert samples[("fsapi_http_requests_total", tuple(sorted(labels.items())))] >= 2
    assert ("fsapi_http_request_duration_seconds_count", (("method", "GET"), ("route", "course/direction/"))) in samples
    unmatched = {"route": "<unmatched>", "method": "GET", "status": "404"}
    with Delta("fsapi_http_requests_total", **unmatched) as missing:
        api_client.get("/api/nowhere/at/all")
    assert missing.value == 1


@pytest.mark.django_db
def test_an_order_created_through_the_api_is_counted_after_commit(
    user, api_client, metrics_token, django_capture_on_commit_callbacks
):
    client = client_for(user)
    redis_store.add_lines(user.id, [CourseFactory().id])
    before = scrape(api_client).get(("fsapi_orders_created_total", ()), 0)
    with Delta("fsapi_orders_created_total") as created:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert client.post("/order/", {"pay_type": 0}, format="json").status_code == 201
        assert sample("fsapi_orders_created_total") == created.before  # not before the commit
        for callback in callbacks:
            callback()
    assert created.value == 1
    assert scrape(api_client)[("fsapi_orders_created_total", ())] == before + 1


@pytest.mark.django_db
def test_a_refused_order_counts_nothing(user, metrics_token):
    client = client_for(user)
    with Delta("fsapi_orders_created_total") as created:
        assert client.post("/order/", {"pay_type": 0}, format="json").status_code == 400  # empty selection
    assert created.value == 0


@pytest.mark.django_db
def test_cancel_and_the_sweep_are_counted(user, metrics_token, django_capture_on_commit_callbacks):
    orders = []
    for customer in (user, UserFactory(), UserFactory()):
        redis_store.add_lines(customer.id, [CourseFactory().id])
        orders.append(create_order(user=customer, pay_type=0))
    with Delta("fsapi_orders_cancelled_total") as cancelled, django_capture_on_commit_callbacks(execute=True):
        assert client_for(user).put(f"/order/{orders[0].id}/").status_code == 200
    assert cancelled.value == 1
    for order in orders[1:]:
        make_overdue(order)

    runs, swept = Delta("fsapi_sweep_runs_total"), Delta("fsapi_orders_swept_total")
    timed_out = Delta("fsapi_orders_timed_out_total", by="sweep")
    with runs, swept, timed_out, django_capture_on_commit_callbacks(execute=True):
        assert expire_overdue_orders() == 2
    assert (runs.value, swept.value, timed_out.value) == (1, 2, 2)
    with runs, swept:
        assert expire_overdue_orders() == 0  # a run that finds nothing is still a run
    assert (runs.value, swept.value) == (1, 0)
    assert set(Order.objects.values_list("order_status", flat=True)) == {Order.Status.CANCELLED, Order.Status.TIMEOUT}


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_the_workers_sweeps_and_time_outs_reach_metrics_through_the_shared_directory(
    api_client, metrics_token, settings, tmp_path, monkeypatch
):
    """The worker counts in its own process; /metrics of the web process reads the files both
    write in PROMETHEUS_MULTIPROC_DIR."""
    settings.ORDER_TIMEOUT = 1
    user = UserFactory()
    redis_store.add_lines(user.id, [CourseFactory().id])
    order = create_order(user=user, pay_type=0)  # its countdown fires in the worker

    with celery_worker(beat=True, ORDER_TIMEOUT=1, ORDER_SWEEP_INTERVAL=1, PROMETHEUS_MULTIPROC_DIR=tmp_path):
        monkeypatch.setattr(metrics, "MULTIPROC_DIR", str(tmp_path))

        def worker_counted():
            samples = scrape(api_client)
            return samples.get(("fsapi_sweep_runs_total", ()), 0) >= 1 and (
                samples.get(("fsapi_orders_timed_out_total", (("by", "countdown"),)), 0)
                + samples.get(("fsapi_orders_timed_out_total", (("by", "sweep"),)), 0)
                == 1
            )

        wait_for(worker_counted, timeout=60, what="the worker's counters in /metrics")
    order.refresh_from_db()
    assert order.order_status == Order.Status.TIMEOUT
    assert any(path.name.startswith("counter_") for path in tmp_path.iterdir())
