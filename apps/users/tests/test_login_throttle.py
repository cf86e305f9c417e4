"""The API login is throttled per client IP (LOGIN_THROTTLE_RATE, every attempt) and per account
(LOGIN_FAILURE_LIMIT failed attempts within LOGIN_LOCKOUT_SECONDS, from any address)."""

import pytest
from django_redis import get_redis_connection

from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def login(client, username, password, ip, **headers):
    return client.post(
        "/user/login/", {"username": username, "password": password}, format="json", REMOTE_ADDR=ip, **headers
    )


def test_many_ips_guessing_one_account_are_throttled_per_account(api_client, settings):
    UserFactory(username="victim", mobile="13811112222", email="victim@example.com")
    guesses = [login(api_client, "victim", f"guess-{i}", ip=f"198.51.100.{i}").status_code for i in range(5)]
    assert guesses == [401] * 5

    # the sixth address, even with the right password, under any of the account's names
    for name in ("victim", "13811112222", "VICTIM@example.com"):
        refused = login(api_client, name, "password123", ip="198.51.100.200")
        assert refused.status_code == 429
        body = refused.json()
        assert body["code"] == 429 and "已被暂时锁定" in body["message"] and "token" not in body
        assert 0 < int(refused["Retry-After"]) <= settings.LOGIN_LOCKOUT_SECONDS

    # the lockout ends (its key expires in Redis): the right password works and clears the count
    get_redis_connection("default").flushdb()
    assert login(api_client, "victim", "password123", ip="198.51.100.201").status_code == 200
    assert login(api_client, "victim", "wrong", ip="198.51.100.202").status_code == 401


def test_an_unknown_name_is_throttled_like_a_real_account(api_client):
    """Otherwise a 429 would tell which accounts exist."""
    guesses = [login(api_client, "nobody", "x" * 8, ip=f"198.51.100.{i}").status_code for i in range(6)]
    assert guesses == [401] * 5 + [429]


def test_a_right_password_gives_the_failures_back(api_client):
    UserFactory(username="forgetful")
    for attempt in range(3):
        assert login(api_client, "forgetful", "wrong", ip=f"192.0.2.{attempt}").status_code == 401
    assert login(api_client, "forgetful", "password123", ip="192.0.2.50").status_code == 200
    answers = [login(api_client, "forgetful", "wrong", ip=f"192.0.2.{60 + i}").status_code for i in range(5)]
    assert answers == [401] * 5  # a fresh count of LOGIN_FAILURE_LIMIT


def test_one_ips_failures_on_an_account_do_not_block_other_accounts_beyond_the_ip_rate(api_client):
    UserFactory(username="victim")
    UserFactory(username="bystander")
    ip = "203.0.113.9"
    answers = [login(api_client, "victim", "wrong", ip=ip).status_code for _ in range(6)]
    assert answers == [401] * 5 + [429]  # the account is locked…

    # …but from the same address another account logs in, until the IP's own rate (10/min) is spent
    assert login(api_client, "bystander", "password123", ip=ip).status_code == 200
    answers = [login(api_client, f"other{i}", "wrong", ip=ip).status_code for i in range(4)]
    assert answers == [401] * 3 + [429]  # 11th attempt from this IP in the minute
    assert login(api_client, "bystander", "password123", ip=ip).status_code == 429


def test_behind_a_proxy_num_proxies_gives_each_client_its_own_ip_rate(api_client, settings):
    """One proxy (NUM_PROXIES = 1): the client is the address the proxy appended to
    X-Forwarded-For, not the proxy's own, so one client's attempts do not throttle the others'."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    UserFactory(username="shopper")
    proxy = "10.0.0.1"
    for i in range(10):  # one client spends its rate on ten names
        login(api_client, f"name{i}", "wrong", ip=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert login(api_client, "name0", "wrong", ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    # another client behind the same proxy (its first X-Forwarded-For entry forged to look the same)
    other = login(api_client, "shopper", "password123", ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 198.51.100.8")
    assert other.status_code == 200
