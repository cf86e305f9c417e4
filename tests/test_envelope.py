"""The conventions of SPEC §1 that hold for every endpoint: envelope, pagination, errors, health."""

import pytest
from rest_framework.test import APIClient

from apps.course.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve_courses():
    return [CourseFactory() for _ in range(12)]


def test_default_page_size_is_five(api_client, twelve_courses):
    data = api_client.get("/course/").json()["data"]
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 12 and len(data["results"]) == 5
    assert "page=2" in data["next"] and data["previous"] is None


@pytest.mark.parametrize("size, expected", [("10", 10), ("0", 5), ("-3", 5), ("abc", 5), ("100000", 12), ("", 5)])
def test_size_is_clamped_not_an_error(api_client, twelve_courses, size, expected):
    response = api_client.get(f"/course/?size={size}")
    assert response.status_code == 200
    assert len(response.json()["data"]["results"]) == expected


def test_size_is_capped_at_fifty(api_client):
    for _ in range(55):
        CourseFactory()
    assert len(api_client.get("/course/?size=100000").json()["data"]["results"]) == 50


@pytest.mark.parametrize("page", ["0", "abc", "99", "-1", "1.5"])
def test_bad_page_is_404_in_envelope(api_client, twelve_courses, page):
    response = api_client.get(f"/course/?page={page}")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == 404 and body["message"] and body["data"] is None


def test_unknown_url_is_404_in_envelope(api_client):
    response = api_client.get("/no/such/place/")
    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": "资源不存在", "data": None}


def test_method_not_allowed_is_405_in_envelope(api_client):
    response = api_client.post("/course/direction/", {}, format="json")
    assert response.status_code == 405 and response.json()["code"] == 405


def test_oversized_body_is_413_in_envelope(api_client):
    response = api_client.post(
        "/user/login/", '{"username": "' + "x" * (3 * 1024 * 1024) + '"}', content_type="application/json"
    )
    assert response.status_code == 413 and response.json()["code"] == 413


def test_unexpected_error_is_logged_500_without_traceback(api_client, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals <object at 0x7f>")

    monkeypatch.setattr("apps.course.views.CourseDirection.objects.published", explode)
    response = api_client.get("/course/direction/")
    assert response.status_code == 500
    assert response.json() == {"code": 500, "message": "服务器内部错误，请稍后再试", "data": None}
    assert "secret internals" in caplog.text


def test_health_answers_200_when_database_and_redis_answer(api_client):
    response = api_client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["data"] == {"database": "ok", "redis": "ok"}


def test_health_answers_503_naming_redis_when_it_is_down(api_client, settings):
    dead = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        alias: {**config, "LOCATION": dead, "OPTIONS": {**config["OPTIONS"], "SOCKET_CONNECT_TIMEOUT": 0.2}}
        for alias, config in settings.CACHES.items()
    }
    response = api_client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == 503 and body["data"]["database"] == "ok" and body["data"]["redis"].startswith("error")


def test_schema_and_docs_are_served(api_client):
    assert api_client.get("/api/schema/").status_code == 200
    docs = api_client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


@pytest.mark.parametrize("path", ["/course/", "/user/info/", "/order/", "/cart/", "/healthz"])
def test_options_is_405_in_envelope_not_a_description_of_the_view(auth_client, path):
    response = auth_client.options(path)
    assert response.status_code == 405
    assert response.json() == {"code": 405, "message": response.json()["message"], "data": None}


def test_cors_preflight_is_still_answered(api_client):
    response = api_client.options(
        "/order/",
        HTTP_ORIGIN="http://localhost:5173",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "authorization" in response["Access-Control-Allow-Headers"].lower()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/order/null/", "/order/0.5/recover/", "/no/such/place/", "/cart"])
def test_a_write_to_no_route_is_the_404_envelope_not_the_csrf_page(method, path):
    client = APIClient(enforce_csrf_checks=True)  # as a real client: no CSRF cookie, a JWT header
    client.credentials(HTTP_AUTHORIZATION="jwt anything")
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": "资源不存在", "data": None}
