"""Hostile input that the app tests do not already cover: oversized and deeply nested bodies,
unicode, NUL bytes and SQL-looking text in every text field, ids past 64 bits in every path and
query parameter, and forged, expired or misused JWTs. Each answers a clear envelope error (or
stores the text exactly as sent), never a 500, and changes nothing it should not."""

import base64
import json
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from apps.cart import redis_store
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.users.models import User
from apps.users.services import grant_courses
from apps.users.tests.factories import UserFactory
from conftest import client_for
from tests.envelope import assert_envelope
from tests.snapshot import database_state, redis_state

pytestmark = pytest.mark.django_db

HUGE_IDS = [str(2**63), str(2**64), "9" * 19, "9" * 40]


# --- bodies ---------------------------------------------------------------------------------

OVERSIZED = 3 * 1024 * 1024  # beyond DATA_UPLOAD_MAX_MEMORY_SIZE (2 MiB)


@pytest.mark.parametrize(
    "method, path",
    [("post", "/order/"), ("patch", "/user/info/"), ("post", "/cart/"), ("patch", "/cart/"),
     ("post", "/user/register/"), ("post", "/user/token/refresh/"), ("post", "/course/1/review/")],
)  # fmt: skip
def test_oversized_json_body_is_413_everywhere(auth_client, user, method, path):
    body = json.dumps({"nickname": "x" * OVERSIZED, "course_id": 1})
    before = database_state(), redis_state()
    response = getattr(auth_client, method)(path, body, content_type="application/json")
    assert_envelope(response, 413)
    assert (database_state(), redis_state()) == before


def test_oversized_form_body_is_413(auth_client):
    response = auth_client.post(
        "/cart/", "course_id=1&pad=" + "x" * OVERSIZED, content_type="application/x-www-form-urlencoded"
    )
    assert_envelope(response, 413)


def test_too_many_form_fields_is_413(auth_client):
    body = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = auth_client.patch("/user/info/", body, content_type="application/x-www-form-urlencoded")
    assert_envelope(response, 413)


def test_oversized_notify_is_refused_as_plain_text(api_client):
    response = api_client.post(
        "/payments/alipay/notify/", "a=" + "x" * OVERSIZED, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (400, 413)
    assert response.content == b"fail"


@pytest.mark.parametrize("depth", [1_000, 10_000, 100_000])
@pytest.mark.parametrize("path", ["/order/", "/user/login/", "/cart/", "/user/register/", "/course/1/review/"])
def test_deeply_nested_json_is_400(auth_client, path, depth):
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        response = auth_client.post(path, body, content_type="application/json")
        assert_envelope(response, 400)
    assert not Order.objects.exists()


def test_deeply_nested_multipart_or_form_is_harmless(auth_client, user):
    body = "nickname=" + "[" * 10_000
    response = auth_client.patch("/user/info/", body, content_type="application/x-www-form-urlencoded")
    assert_envelope(response, 400)  # longer than 50 characters
    assert User.objects.get(pk=user.pk).nickname == user.nickname


# --- text fields ----------------------------------------------------------------------------

STORED_AS_SENT = [
    "墨落🎓😀👩‍💻",  # emoji, four-byte UTF-8 (utf8mb4 on MariaDB), a ZWJ sequence
    "مرحبا بالعالم",  # right-to-left
    "\u202eevil\u202c",  # RTL override characters
    "' OR 1=1 --",
    "'; DROP TABLE fs_user; --",
    '" OR ""="',
    "%_\\%",  # LIKE wildcards and a backslash
    "<script>alert(1)</script>",
]
PROFILE_TEXT_FIELDS = ["nickname", "position", "city", "signature"]


@pytest.mark.parametrize("field", PROFILE_TEXT_FIELDS)
@pytest.mark.parametrize("text", STORED_AS_SENT)
def test_profile_text_is_stored_exactly_as_sent(auth_client, user, field, text):
    body = assert_envelope(auth_client.patch("/user/info/", {field: text}, format="json"), 200)
    assert body["data"][field] == text
    assert getattr(User.objects.get(pk=user.pk), field) == text
    assert auth_client.get("/user/info/").json()["data"][field] == text


@pytest.mark.parametrize("field", PROFILE_TEXT_FIELDS)
@pytest.mark.parametrize("text", ["a\u0000b", "\u0000", "x" * 256])
@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_profile_text_with_nul_or_too_long_is_400_and_unchanged(auth_client, user, field, text, fmt):
    if len(text) > 250 or "\u0000" in text:
        body = assert_envelope(auth_client.patch("/user/info/", {field: text}, format=fmt), 400)
        assert field in body["data"]
    assert getattr(User.objects.get(pk=user.pk), field) == getattr(user, field)


@pytest.mark.parametrize("username", [*STORED_AS_SENT, "a\u0000b", "x" * 10_000, "admin' --"])
def test_login_with_hostile_username_is_refused_cleanly(api_client, username):
    UserFactory(username="admin")
    response = api_client.post("/user/login/", {"username": username, "password": "password123"}, format="json")
    assert_envelope(response, 400 if "\u0000" in username else 401)


@pytest.mark.parametrize("password", ["pass\u0000word1", "😀" * 9])
def test_login_with_hostile_password_is_refused_cleanly(api_client, password):
    UserFactory(username="demo")
    response = api_client.post("/user/login/", {"username": "demo", "password": password}, format="json")
    assert response.status_code in (400, 401) and response.json()["code"] == response.status_code


@pytest.mark.parametrize(
    "mobile", [*STORED_AS_SENT, "1381234567\u0000", "１３８１２３４５６７８", "+8613812345678", "1" * 5000]
)
def test_register_with_hostile_mobile_is_400_and_creates_nothing(api_client, mobile):
    body = {"mobile": mobile, "password": "password123", "re_password": "password123"}
    assert_envelope(api_client.post("/user/register/", body, format="json"), 400)
    assert not User.objects.exists()


@pytest.mark.parametrize("value", [*STORED_AS_SENT, "1\u0000", "2026-01-01'", "9" * 25, "-1", "1e5"])
@pytest.mark.parametrize("param", ["order_number", "start", "end"])
def test_order_list_filters_refuse_hostile_text(auth_client, param, value):
    assert_envelope(auth_client.get("/order/list/", {param: value}), 400)


@pytest.mark.parametrize("value", ["0000-01-01", "2026-02-30", "2026-13-01", "20260101", "10000-01-01"])
@pytest.mark.parametrize("param", ["start", "end"])
def test_order_list_impossible_dates_are_400(auth_client, param, value):
    assert_envelope(auth_client.get("/order/list/", {param: value}), 400)


@pytest.mark.parametrize("start, end", [("0001-01-01", "9999-12-31"), ("0001-01-02", "9999-12-30")])
def test_order_list_first_and_last_dates_mean_no_bound(auth_client, user, start, end):
    order = Order.objects.create(user=user, order_number="2" * 24, total_price=1, real_price=1)
    for query in ({"start": start}, {"end": end}, {"start": start, "end": end}):
        body = assert_envelope(auth_client.get("/order/list/", query), 200)
        assert [row["id"] for row in body["data"]["results"]] == [order.id], query


@pytest.mark.parametrize("value", [*STORED_AS_SENT, "9" * 40, "", "-1", "5", "1.0"])
def test_order_list_status_filter_means_all_for_anything_else(auth_client, user, value):
    order = Order.objects.create(user=user, order_number="2" * 24, total_price=1, real_price=1)
    body = assert_envelope(auth_client.get("/order/list/", {"status": value}), 200)
    assert [row["id"] for row in body["data"]["results"]] == [order.id]


# --- ids past 64 bits -----------------------------------------------------------------------

PATH_TEMPLATES = [
    ("put", "/order/{}/"),
    ("delete", "/order/{}/"),
    ("post", "/order/{}/recover/"),
    ("get", "/course/{}/"),
    ("post", "/course/{}/review/"),
    ("get", "/course/{}/reviews/"),
]


@pytest.mark.parametrize("big", HUGE_IDS)
@pytest.mark.parametrize("method, template", PATH_TEMPLATES)
def test_huge_path_ids_are_404(auth_client, method, template, big):
    assert_envelope(getattr(auth_client, method)(template.format(big)), 404)


@pytest.mark.parametrize("number", ["9" * 23, "9" * 25, "9" * 64, "1" * 24 + "\u0000"])
@pytest.mark.parametrize("template", ["/payments/alipay/{}/", "/payments/alipay/query/{}/"])
def test_malformed_order_numbers_are_404(auth_client, template, number):
    assert_envelope(auth_client.get(template.format(number)), 404)


@pytest.mark.parametrize("big", HUGE_IDS)
def test_huge_ids_in_query_params_and_bodies_are_400(auth_client, user, big):
    course = CourseFactory()
    redis_store.add_lines(user.id, [course.id])
    before = database_state(), redis_state()
    calls = [
        auth_client.delete(f"/cart/?course_id={big}"),
        auth_client.post("/cart/", {"course_id": int(big)}, format="json"),
        auth_client.patch("/cart/", {"course_id": int(big), "selected": True}, format="json"),
        auth_client.get(f"/course/?direction={big}"),
        auth_client.get(f"/course/?category={big}"),
        auth_client.get(f"/course/category/?direction={big}"),
        auth_client.post("/order/", {"user_coupon_id": int(big)}, format="json"),
        auth_client.post("/order/", {"credit": int(big)}, format="json"),
        auth_client.post("/order/", {"pay_type": int(big)}, format="json"),
        auth_client.get(f"/user/credit/?operation={big}"),
        auth_client.get(f"/user/records/?kind={big}"),
        auth_client.get(f"/coupon/mine/?status={big}"),
        auth_client.post(f"/course/{course.id}/review/", {"score": int(big)}, format="json"),
    ]
    for response in calls:
        assert_envelope(response, 400)
    assert (database_state(), redis_state()) == before


@pytest.mark.parametrize("big", HUGE_IDS)
def test_huge_page_is_404_and_huge_size_is_clamped(auth_client, big):
    assert_envelope(auth_client.get(f"/order/list/?page={big}"), 404)
    assert_envelope(auth_client.get(f"/course/?page={big}"), 404)
    assert_envelope(auth_client.get(f"/order/list/?size={big}"), 200)
    for path in USER_CENTER_LISTS:
        assert_envelope(auth_client.get(f"{path}?page={big}"), 404)
        assert_envelope(auth_client.get(f"{path}?size={big}"), 200)


USER_CENTER_LISTS = ["/user/course/", "/user/records/", "/user/credit/", "/user/balance/", "/coupon/mine/"]


@pytest.mark.parametrize("text", STORED_AS_SENT)
def test_review_text_is_stored_and_listed_exactly_as_sent(auth_client, user, text):
    course = CourseFactory()
    grant_courses(user_id=user.id, course_ids=[course.id])
    response = auth_client.post(f"/course/{course.id}/review/", {"score": 5, "content": text}, format="json")
    assert response.status_code == 201 and response.json()["data"]["content"] == text
    listed = assert_envelope(auth_client.get(f"/course/{course.id}/reviews/"), 200)["data"]["results"]
    assert [row["content"] for row in listed] == [text]


@pytest.mark.parametrize("path", USER_CENTER_LISTS)
@pytest.mark.parametrize("value", [*STORED_AS_SENT, "1\u0000"])
def test_user_center_filters_refuse_hostile_text(auth_client, path, value):
    param = {"/user/credit/": "operation", "/user/records/": "kind", "/coupon/mine/": "status"}.get(path)
    if param is None:  # no filter: unknown parameters are ignored
        assert_envelope(auth_client.get(path, {"kind": value, "status": value}), 200)
    else:
        assert param in assert_envelope(auth_client.get(path, {param: value}), 400)["data"]


@pytest.mark.parametrize("credit", ["15e-1", "0x10", "NaN", "Infinity", 1e400, -0.0001, True, [], {}])
def test_odd_credit_values_are_400_and_change_nothing(auth_client, user, credit):
    redis_store.add_lines(user.id, [CourseFactory(credit=100).id])
    # strings go in as raw JSON tokens (15e-1, NaN, Infinity), the rest as Python's JSON
    raw = credit if isinstance(credit, str) else json.dumps(credit)
    body = '{"pay_type": 0, "credit": ' + raw + "}"
    response = auth_client.post("/order/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == 400, (credit, response.content)
    assert not Order.objects.exists() and User.objects.get(pk=user.pk).credit == 1000


# --- tokens ---------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(payload: dict, *, alg="HS256", key=None) -> str:
    header = {"alg": alg, "typ": "JWT"}
    if alg == "none":
        return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}."
    return jwt.encode(payload, key or settings.SECRET_KEY, algorithm=alg, headers=header)


def flip_signature(token: str) -> str:
    head, body, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return f"{head}.{body}.{flipped}"


def swap_payload(token: str, **changes) -> str:
    head, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(changes)
    return f"{head}.{b64(json.dumps(payload).encode())}.{signature}"


def bad_tokens(user, other) -> dict:
    access = AccessToken.for_user(user)
    valid = access.payload
    expired = AccessToken.for_user(user)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    return {
        "expired": str(expired),
        "signature flipped": flip_signature(str(access)),
        "payload swapped to another user": swap_payload(str(access), user_id=str(other.id)),
        "alg none": forged(valid, alg="none"),
        "alg none, no signature dot": forged(valid, alg="none").rstrip("."),
        "signed with another key": forged(valid, key="another-secret-key-of-at-least-32-characters"),
        "HS512 with our key": forged(valid, alg="HS512"),
        "refresh token as access": str(RefreshToken.for_user(user)),
        "no user_id": forged({k: v for k, v in valid.items() if k != "user_id"}),
        "user_id past 64 bits": forged({**valid, "user_id": str(2**70)}),
        "user_id not a number": forged({**valid, "user_id": "1 OR 1=1"}),
        "user_id of nobody": forged({**valid, "user_id": "987654321"}),
        "not a JWT": "a.b.c",
        "empty": "",
        # a WSGI server hands non-ASCII header bytes over decoded as latin-1 (PEP 3333)
        "unicode": "令牌😀".encode().decode("latin-1"),
    }


def test_forged_expired_and_misused_access_tokens_are_401(api_client, user):
    other = UserFactory()
    for name, token in bad_tokens(user, other).items():
        for prefix in ("jwt", "Bearer"):
            response = api_client.get("/user/info/", HTTP_AUTHORIZATION=f"{prefix} {token}")
            assert response.status_code == 401, name
            assert_envelope(response, 401)


def test_token_payload_swapped_to_another_user_changes_nothing_of_theirs(api_client, user):
    other = UserFactory(credit=1000)
    token = swap_payload(str(AccessToken.for_user(user)), user_id=str(other.id))
    response = api_client.patch(
        "/user/info/", {"nickname": "hijacked"}, format="json", HTTP_AUTHORIZATION=f"jwt {token}"
    )
    assert_envelope(response, 401)
    assert User.objects.get(pk=other.pk).nickname != "hijacked"


@pytest.mark.parametrize(
    "name", ["access token as refresh", "expired refresh", "flipped refresh", "refresh of a deleted user"]
)
def test_refresh_refuses_misused_tokens(api_client, name):
    user = UserFactory()
    refresh = RefreshToken.for_user(user)
    token = {
        "access token as refresh": str(refresh.access_token),
        "flipped refresh": flip_signature(str(refresh)),
        "refresh of a deleted user": str(refresh),
    }.get(name)
    if name == "expired refresh":
        refresh.set_exp(lifetime=-timedelta(seconds=1))
        token = str(refresh)
    if name == "refresh of a deleted user":
        user.delete()
    response = api_client.post("/user/token/refresh/", {"refresh": token}, format="json")
    assert_envelope(response, 401)


def test_refresh_of_a_deactivated_user_is_refused(api_client):
    user = UserFactory()
    refresh = str(RefreshToken.for_user(user))
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = api_client.post("/user/token/refresh/", {"refresh": refresh}, format="json")
    assert_envelope(response, 401)


@pytest.mark.parametrize("state", ["deleted", "inactive"])
def test_tokens_of_gone_users_cannot_order_or_pay(state):
    user = UserFactory(credit=500)
    order = Order.objects.create(user=user, order_number="3" * 24, total_price=1, real_price=1)
    client = client_for(user)
    if state == "deleted":
        Order.objects.filter(pk=order.pk).delete()
        user.delete()
    else:
        User.objects.filter(pk=user.pk).update(is_active=False)
    for response in (
        client.post("/order/", {}, format="json"),
        client.get("/order/list/"),
        client.put(f"/order/{order.id}/"),
        client.get(f"/payments/alipay/{order.order_number}/"),
        client.get("/cart/"),
        client.get("/coupon/"),
    ):
        assert_envelope(response, 401)
