import pytest

from apps.users.models import User
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VALID = {"mobile": "13912345678", "password": "secret-123", "re_password": "secret-123"}


def test_register_creates_user_and_answers_token(api_client):
    response = api_client.post("/user/register/", VALID, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["code"] == 200 and body["data"]["token"]
    user = User.objects.get(mobile="13912345678")
    assert user.username == "13912345678" and user.check_password("secret-123")
    login = api_client.post("/user/login/", {"username": "13912345678", "password": "secret-123"}, format="json")
    assert login.status_code == 200


@pytest.mark.parametrize(
    "change, field",
    [
        ({"mobile": "12345678901"}, "mobile"),
        ({"mobile": "1391234567"}, "mobile"),
        ({"mobile": "139123456789"}, "mobile"),
        ({"mobile": "abc"}, "mobile"),
        ({"password": "short", "re_password": "short"}, "password"),
        ({"password": "x" * 19, "re_password": "x" * 19}, "password"),
        ({"re_password": "different-1"}, "re_password"),
        ({"mobile": None}, "mobile"),
    ],
)
def test_register_refuses_bad_input_and_creates_nothing(api_client, change, field):
    response = api_client.post("/user/register/", {**VALID, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and field in body["data"] and body["message"]
    assert not User.objects.exists()


def test_register_refuses_taken_mobile(api_client):
    UserFactory(mobile="13912345678")
    response = api_client.post("/user/register/", VALID, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "该手机号已注册"
    assert User.objects.count() == 1


def test_register_with_malformed_json_is_400(api_client):
    response = api_client.post("/user/register/", "{", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == 400
