"""Avatar files on disk (a real MEDIA_ROOT): a replaced avatar's file is deleted once the change
commits and kept when it rolls back; uploads are throttled per user (UPLOAD_THROTTLE_RATE); a
profile edit never writes back a stale credit."""

from pathlib import Path

import pytest
from django.db import OperationalError

from apps.users.models import User
from apps.users.serializers import UserInfoSerializer
from apps.users.services import give_credit
from apps.users.tests.factories import UserFactory
from apps.users.tests.test_info import png_upload
from conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: on_commit runs as in production


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media: Path) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def upload(client, name="avatar.png"):
    return client.patch("/user/info/", {"avatar": png_upload(name)}, format="multipart")


def test_a_replaced_avatar_file_is_deleted_after_commit(media):
    user = UserFactory()
    client = client_for(user)
    for i in range(4):
        assert upload(client, f"face{i}.png").status_code == 200
        user.refresh_from_db()
        assert stored_files(media) == [user.avatar.name]  # only the current one is kept
    assert Path(user.avatar.path).is_file() and user.avatar.name.endswith("face3.png")


def test_a_rolled_back_change_keeps_the_old_file_and_drops_the_new_one(media, monkeypatch):
    user = UserFactory()
    client = client_for(user)
    assert upload(client, "old.png").status_code == 200
    user.refresh_from_db()
    old = user.avatar.name

    real_save = User.save

    def save_then_fail(self, *args, **kwargs):
        real_save(self, *args, **kwargs)  # the new file is stored and the row updated…
        raise OperationalError("the database went away before the commit")  # …then it rolls back

    monkeypatch.setattr(User, "save", save_then_fail)
    response = upload(client, "new.png")
    monkeypatch.undo()

    assert response.status_code == 503 and response.json()["code"] == 503
    user.refresh_from_db()
    assert user.avatar.name == old
    assert stored_files(media) == [old]  # the old file is still there, the new one is gone


def test_uploads_are_throttled_per_user(media, settings):
    settings.UPLOAD_THROTTLE_RATE = "3/hour"
    user, other = UserFactory(), UserFactory()
    client = client_for(user)
    assert [upload(client).status_code for _ in range(4)] == [200, 200, 200, 429]
    user.refresh_from_db()
    assert stored_files(media) == [user.avatar.name]  # the refused upload stored nothing

    # edits without a file are not uploads; another user has a budget of its own
    assert client.patch("/user/info/", {"city": "杭州"}, format="json").status_code == 200
    assert upload(client_for(other)).status_code == 200


def test_a_profile_edit_does_not_write_back_a_stale_credit(media, monkeypatch):
    user = UserFactory(credit=100)
    client = client_for(user)
    real_validate = UserInfoSerializer.validate

    def refund_meanwhile(self, attrs):  # a refund lands after the view read the user's row
        give_credit(user_id=user.pk, amount=50, remark="并发的退还")
        return real_validate(self, attrs)

    monkeypatch.setattr(UserInfoSerializer, "validate", refund_meanwhile)
    assert upload(client).status_code == 200
    assert client.patch("/user/info/", {"nickname": "新昵称"}, format="json").status_code == 200
    user.refresh_from_db()
    assert user.credit == 200 and user.nickname == "新昵称"
    assert stored_files(media) == [user.avatar.name]
