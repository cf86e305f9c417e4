import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.users.models import User

pytestmark = pytest.mark.django_db


def png_upload(name="avatar.png", size=(64, 64)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_info_answers_profile(auth_client, user):
    response = auth_client.get("/user/info/")
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {
        "user_id",
        "username",
        "mobile",
        "nickname",
        "avatar",
        "gender",
        "position",
        "city",
        "signature",
        "credit",
        "money",
    }
    assert data["user_id"] == user.id and data["credit"] == 1000 and data["money"] == "0.00"


def test_patch_edits_editable_fields_only(auth_client, user):
    response = auth_client.patch(
        "/user/info/",
        {
            "nickname": "新昵称",
            "city": "上海",
            "gender": 2,
            "credit": 99999,
            "money": "9999.00",
            "username": "hacker",
            "mobile": "13000000000",
        },
        format="json",
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.nickname == "新昵称" and user.city == "上海" and user.gender == 2
    assert user.credit == 1000 and str(user.money) == "0.00"
    assert user.username != "hacker" and user.mobile != "13000000000"


def test_patch_uploads_avatar(auth_client, user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = auth_client.patch("/user/info/", {"avatar": png_upload()}, format="multipart")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.avatar.name.startswith("avatar/")
    assert response.json()["data"]["avatar"] == user.avatar.url
    # the next login carries the new avatar in the token payload
    login = auth_client.post("/user/login/", {"username": user.username, "password": "password123"}, format="json")
    assert login.json()["avatar"] == user.avatar.url


@pytest.mark.parametrize(
    "payload, fmt",
    [
        ({"gender": 7}, "json"),
        ({"gender": "abc"}, "json"),
        ({"nickname": "x" * 51}, "json"),
        ({"avatar": "not-a-file"}, "json"),
    ],
)
def test_patch_bad_input_is_400(auth_client, payload, fmt):
    response = auth_client.patch("/user/info/", payload, format=fmt)
    assert response.status_code == 400 and response.json()["code"] == 400


def test_patch_refuses_a_file_that_is_not_an_image(auth_client, user):
    fake = SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", content_type="image/png")
    response = auth_client.patch("/user/info/", {"avatar": fake}, format="multipart")
    assert response.status_code == 400
    assert not User.objects.get(pk=user.pk).avatar


def test_info_without_token_is_401(api_client):
    assert api_client.get("/user/info/").status_code == 401
    assert api_client.patch("/user/info/", {"nickname": "x"}, format="json").status_code == 401


def test_unsupported_method_is_405_in_envelope(auth_client):
    response = auth_client.delete("/user/info/")
    assert response.status_code == 405 and response.json()["code"] == 405
