"""Customers read Chinese whatever their browser asks for, and the schema speaks Chinese too."""

import re

import pytest
import yaml

from apps.users.tests.factories import UserFactory

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]{4,}")
EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def assert_chinese(response, status):
    body = response.json()
    message = body.get("message") or body.get("detail")
    assert response.status_code == status, body
    assert CJK.search(message) and not ENGLISH_WORDS.search(message), body
    return body


@pytest.mark.django_db
def test_validation_errors_are_chinese_for_an_english_browser(api_client):
    body = assert_chinese(api_client.post("/user/register/", {}, format="json", **EN), 400)
    for messages in body["data"].values():
        assert all(CJK.search(message) for message in messages), body
    assert_chinese(api_client.get("/course/", {"direction": "abc"}, **EN), 400)


@pytest.mark.django_db
def test_401_404_and_simplejwt_errors_are_chinese_for_an_english_browser(api_client):
    assert_chinese(api_client.get("/user/info/", **EN), 401)
    assert_chinese(api_client.get("/user/info/", HTTP_AUTHORIZATION="jwt not-a-token", **EN), 401)
    assert_chinese(api_client.get("/course/987654321/", **EN), 404)
    assert_chinese(api_client.get("/no/such/api/", HTTP_ACCEPT="application/json", **EN), 404)
    UserFactory(username="demo")
    assert_chinese(
        api_client.post("/user/login/", {"username": "demo", "password": "wrong-one"}, format="json", **EN), 401
    )
    assert_chinese(api_client.post("/user/token/refresh/", {"refresh": "garbage"}, format="json", **EN), 401)


@pytest.mark.django_db
def test_throttled_logins_are_told_so_in_chinese(api_client, settings):
    UserFactory(username="demo")
    statuses = []
    for _ in range(12):
        response = api_client.post("/user/login/", {"username": "demo", "password": "bad"}, format="json", **EN)
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert_chinese(response, 429)


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", **EN)
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_every_operation_has_a_chinese_summary(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not CJK.search(operation.get("summary", ""))
    ]
    assert not missing, missing


def _resolved(schema, prop):
    ref = prop.get("$ref") or (prop.get("allOf") or [{}])[0].get("$ref")
    if ref:
        return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return prop


@pytest.mark.parametrize(
    "component, field",
    [
        ("CouponRecord", "user_coupon_id"),
        ("CouponRecord", "coupon_id"),
        ("CouponRecord", "discount"),
        ("CouponRecord", "coupon_type"),
        ("CouponRecord", "get_type"),
        ("EnableCoupon", "user_coupon_id"),
        ("EnableCoupon", "coupon_type"),
        ("OrderCreateRequest", "user_coupon_id"),
        ("OrderCreateRequest", "pay_type"),
        ("OrderListSchema", "pay_type"),
        ("OrderListSchema", "order_status"),
        ("OrderPayState", "order_status"),
        ("UserInfo", "gender"),
    ],
)
def test_ids_and_enums_are_integers_in_the_schema(schema, component, field):
    prop = _resolved(schema, schema["components"]["schemas"][component]["properties"][field])
    assert prop["type"] == "integer", prop


def test_the_order_list_status_filter_is_an_integer(schema):
    (status,) = [p for p in schema["paths"]["/order/list/"]["get"]["parameters"] if p["name"] == "status"]
    assert status["schema"]["type"] == "integer"
