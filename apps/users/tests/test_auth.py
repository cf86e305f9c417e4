import base64
import json

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from apps.cart import redis_store
from apps.users.models import User
from apps.users.tests.factories import UserFactory
from conftest import client_for

pytestmark = pytest.mark.django_db


def jwt_payload(token: str) -> dict:
    """Decode the payload the way the Vue client does: JSON.parse(atob(token.split(".")[1]))."""
    segment = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


@pytest.mark.parametrize("login_name", ["demo", "13812345678", "demo@example.com", "DEMO@example.com"])
def test_login_by_username_mobile_or_email_answers_plain_object(api_client, login_name):
    user = UserFactory(username="demo", mobile="13812345678", email="demo@example.com", credit=1000, nickname="墨落")
    redis_store.add_lines(user.id, [1, 2, 3])

    response = api_client.post("/user/login/", {"username": login_name, "password": "password123"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert "code" not in body  # the client reads response.data.token: not enveloped
    assert body["cart_total"] == 3
    assert body["username"] == "demo" and body["nickname"] == "墨落" and body["credit"] == 1000
    assert body["mobile"] == "13812345678"
    assert body["avatar"] == "/static/images/default_avatar.png"
    payload = jwt_payload(body["token"])
    assert payload["username"] == "demo" and payload["nickname"] == "墨落"
    assert payload["avatar"] == body["avatar"] and payload["credit"] == 1000
    assert str(payload["user_id"]) == str(user.id)


def test_login_with_wrong_password_is_401_in_envelope(api_client):
    UserFactory(username="demo")
    response = api_client.post("/user/login/", {"username": "demo", "password": "wrong-password"}, format="json")
    assert response.status_code == 401
    assert response.json() == {"code": 401, "message": "用户名或密码错误", "data": None}


def test_login_of_inactive_user_is_refused(api_client):
    UserFactory(username="gone", is_active=False)
    response = api_client.post("/user/login/", {"username": "gone", "password": "password123"}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body, content_type",
    [("{not json", "application/json"), ("[]", "application/json"), ('{"username": "x"}', "application/json")],
)
def test_login_bad_input_is_400_in_envelope(api_client, body, content_type):
    response = api_client.post("/user/login/", body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["code"] == 400
    assert "Traceback" not in response.json()["message"]


def test_login_is_throttled(api_client):
    """Guessing one account from one address meets the account's limit (5 failures) before the
    address's (10 attempts a minute): see test_login_throttle.py for both."""
    UserFactory(username="demo")
    statuses = [
        api_client.post("/user/login/", {"username": "demo", "password": "bad-password"}, format="json").status_code
        for _ in range(12)
    ]
    assert statuses == [401] * 5 + [429] * 7
    response = api_client.post("/user/login/", {"username": "demo", "password": "password123"}, format="json")
    assert response.status_code == 429 and response.json()["code"] == 429


def test_refresh_gives_access_token_that_still_carries_the_profile(api_client):
    UserFactory(username="demo", nickname="墨落")
    login = api_client.post("/user/login/", {"username": "demo", "password": "password123"}, format="json").json()
    response = api_client.post("/user/token/refresh/", {"refresh": login["refresh"]}, format="json")
    assert response.status_code == 200
    assert jwt_payload(response.json()["access"])["nickname"] == "墨落"


def test_refresh_with_garbage_is_401_in_envelope(api_client):
    response = api_client.post("/user/token/refresh/", {"refresh": "garbage"}, format="json")
    assert response.status_code == 401 and response.json()["code"] == 401


@pytest.mark.parametrize("prefix", ["jwt", "JWT", "Bearer"])
def test_private_endpoint_accepts_each_header_prefix(api_client, user, prefix):
    token = str(AccessToken.for_user(user))
    response = api_client.get("/user/info/", HTTP_AUTHORIZATION=f"{prefix} {token}")
    assert response.status_code == 200


@pytest.mark.parametrize("header", [None, "jwt garbage", "jwt", "Token abc", "jwt a.b.c"])
def test_missing_or_invalid_token_is_401_in_envelope(api_client, header):
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    response = api_client.get("/user/info/", **kwargs)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == 401 and body["message"] and body["data"] is None


def test_token_of_deleted_user_is_401(db):
    user = UserFactory()
    client = client_for(user)
    user.delete()
    assert client.get("/user/info/").status_code == 401


def test_token_of_deactivated_user_is_401(db):
    user = UserFactory()
    client = client_for(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/user/info/").status_code == 401


def test_login_throttle_counts_per_ip_across_usernames(api_client):
    """Spraying one password over many accounts from one address is throttled like guessing one
    account's password; a forged X-Forwarded-For does not get around it (NUM_PROXIES = 0)."""
    UserFactory(username="demo")
    statuses = [
        api_client.post(
            "/user/login/",
            {"username": f"victim{i}", "password": "password123"},
            format="json",
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    blocked = api_client.post(
        "/user/login/", {"username": "demo", "password": "password123"}, format="json", REMOTE_ADDR="203.0.113.7"
    )
    assert blocked.status_code == 429 and blocked.json()["code"] == 429
    elsewhere = api_client.post(
        "/user/login/", {"username": "demo", "password": "password123"}, format="json", REMOTE_ADDR="203.0.113.8"
    )
    assert elsewhere.status_code == 200


def test_register_is_throttled_per_ip(api_client):
    statuses = [
        api_client.post(
            "/user/register/",
            {"mobile": f"1380000{i:04d}", "password": "password123", "re_password": "password123"},
            format="json",
            REMOTE_ADDR="203.0.113.9",
        ).status_code
        for i in range(21)
    ]
    assert statuses == [201] * 20 + [429]
    assert User.objects.count() == 20


def test_a_verified_token_is_refused_once_it_expires_and_a_disabled_user_at_once(db, monkeypatch):
    """The process remembers a token it verified (apps/users/authentication.VerifiedTokens),
    never past its expiry, and the account is read on every request all the same."""
    import time

    from rest_framework.test import APIClient

    from apps.users import authentication

    user = UserFactory()
    token = AccessToken.for_user(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"jwt {token}")
    assert client.get("/user/info/").status_code == 200
    assert authentication.VERIFIED.get(str(token).encode()) is not None

    forged = str(token)[:-2] + ("AA" if not str(token).endswith("AA") else "BB")
    client.credentials(HTTP_AUTHORIZATION=f"jwt {forged}")
    assert client.get("/user/info/").status_code == 401  # other bytes: verified afresh, and refused

    client.credentials(HTTP_AUTHORIZATION=f"jwt {token}")
    monkeypatch.setattr(time, "time", lambda: token["exp"] + 1)
    assert authentication.VERIFIED.get(str(token).encode()) is None
    monkeypatch.undo()

    assert client.get("/user/info/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/user/info/").status_code == 401
