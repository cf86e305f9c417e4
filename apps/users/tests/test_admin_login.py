"""/admin/login/ is guarded by django-axes: per account and per IP, LOGIN_FAILURE_LIMIT wrong
passwords lock it (429) — the right password included — until LOGIN_LOCKOUT_SECONDS have passed.
The API login is not counted by axes (it has its own throttles)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def access_attempts():
    from axes.models import AccessAttempt  # django-axes' table of failed admin logins

    return AccessAttempt.objects


def admin_login(username: str, password: str, ip: str = "192.0.2.10"):
    browser = Client(REMOTE_ADDR=ip)
    response = browser.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})
    response.logged_in = "_auth_user_id" in browser.session
    return response


@pytest.fixture
def staff(db):
    return UserFactory(username="boss", mobile="13800000001", is_staff=True, is_superuser=True)


def test_wrong_admin_passwords_lock_the_account_and_the_right_one_is_refused_while_locked(settings, staff):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    answers = [admin_login("boss", f"wrong-{i}", ip=f"192.0.2.{i}").status_code for i in range(6)]
    assert answers == [200] * 4 + [429] * 2  # the form again ×4, then locked (the 5th failure locks)

    # locked per account: the right password, from an address that never failed, logs nobody in;
    # the account's mobile number is the same account
    for name in ("boss", "13800000001"):
        refused = admin_login(name, "password123", ip="198.51.100.99")
        assert refused.status_code == 429 and not refused.logged_in
        assert "已被暂时锁定" in refused.content.decode()

    # the API login is not axes' business: it answers by its own throttles
    api = Client(REMOTE_ADDR="198.51.100.50").post(
        "/user/login/", {"username": "boss", "password": "password123"}, content_type="application/json"
    )
    assert api.status_code == 200 and "token" in api.json()

    # once the lockout has passed, the right password works and the count starts again
    access_attempts().update(attempt_time=timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1))
    welcome = admin_login("boss", "password123", ip="198.51.100.99")
    assert welcome.status_code == 302 and welcome.logged_in
    assert not access_attempts().filter(username="boss").exists()


def test_wrong_admin_passwords_from_one_ip_lock_that_ip_for_every_account(staff):
    answers = [admin_login(f"guess{i}", "password123", ip="203.0.113.5").status_code for i in range(5)]
    assert answers == [200] * 4 + [429]

    locked_ip = admin_login("boss", "password123", ip="203.0.113.5")
    assert locked_ip.status_code == 429 and not locked_ip.logged_in
    elsewhere = admin_login("boss", "password123", ip="203.0.113.6")
    assert elsewhere.status_code == 302 and elsewhere.logged_in


def test_failed_api_logins_are_not_recorded_by_axes(api_client, staff):
    for _ in range(3):
        api_client.post("/user/login/", {"username": "boss", "password": "wrong"}, format="json")
    assert not access_attempts().exists()
    assert admin_login("boss", "password123").logged_in
