import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.cart import redis_store
from apps.course.tests.factories import ActivityPriceFactory, CourseFactory
from apps.users.services import grant_courses
from tests.envelope import assert_envelope

pytestmark = pytest.mark.django_db


def field(course) -> bytes:
    return str(course.id).encode()


@pytest.mark.parametrize(
    "method, path",
    [("get", "/cart/"), ("post", "/cart/"), ("patch", "/cart/"), ("put", "/cart/"), ("delete", "/cart/?course_id=1")]
    + [("get", "/cart/order/")],
)
def test_every_cart_endpoint_needs_a_login(api_client, method, path):
    assert_envelope(getattr(api_client, method)(path, {}, format="json"), 401)


# --- POST: add ------------------------------------------------------------------------------


def test_add_puts_a_selected_line_and_answers_cart_total(auth_client, user, redis_cart):
    first, second = CourseFactory(), CourseFactory()
    response = auth_client.post("/cart/", {"course_id": first.id}, format="json")
    assert response.status_code == 200
    assert response.json()["code"] == 200 and response.json()["data"] == {"cart_total": 1}
    assert redis_cart(user) == {field(first): b"1"}

    response = auth_client.post("/cart/", {"course_id": second.id})  # form-encoded, as well
    assert response.json()["data"] == {"cart_total": 2}
    assert redis_cart(user) == {field(first): b"1", field(second): b"1"}


def test_adding_twice_keeps_one_line_and_reselects_it(auth_client, user, redis_cart):
    course = CourseFactory()
    auth_client.post("/cart/", {"course_id": course.id}, format="json")
    auth_client.patch("/cart/", {"course_id": course.id, "selected": False}, format="json")
    assert redis_cart(user) == {field(course): b"0"}

    response = auth_client.post("/cart/", {"course_id": course.id}, format="json")
    assert response.status_code == 200 and response.json()["data"] == {"cart_total": 1}
    assert redis_cart(user) == {field(course): b"1"}


def test_add_reads_the_course_once_then_from_the_process_copy(auth_client, user, redis_cart):
    """The checkout's hot path: the first add of a course reads it (with its prices, one query
    each), later adds and the order read this process's copy (apps.course.selectors.PublishedCourses)."""
    course, other = CourseFactory(), CourseFactory()
    ActivityPriceFactory(course=course)
    with CaptureQueriesContext(connection) as queries:
        response = auth_client.post("/cart/", {"course_id": course.id}, format="json")
    assert response.status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert sum("fs_course`" in q or 'fs_course"' in q for q in sql) == 1, sql
    with CaptureQueriesContext(connection) as queries:
        auth_client.delete(f"/cart/?course_id={course.id}")
        response = auth_client.post("/cart/", {"course_id": course.id}, format="json")
    assert response.status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert not [q for q in sql if "fs_course" in q], sql
    assert redis_cart(user) == {field(course): b"1"}
    assert other.id not in {int(k) for k in redis_cart(user)}


@pytest.mark.parametrize("course_id", ["abc", -1, 0, 1.5, "1e3", "", None, True, [1], 2**63, "9" * 40])
def test_add_refuses_a_malformed_course_id(auth_client, user, redis_cart, course_id):
    response = auth_client.post("/cart/", {"course_id": course_id}, format="json")
    assert_envelope(response, 400)
    assert "course_id" in response.json()["data"]
    assert redis_cart(user) == {}


def test_add_refuses_a_missing_course_id(auth_client, user, redis_cart):
    assert_envelope(auth_client.post("/cart/", {}, format="json"), 400)
    assert_envelope(auth_client.post("/cart/", {}), 400)
    assert redis_cart(user) == {}


@pytest.mark.parametrize("hidden", [{"is_show": False}, {"is_deleted": True}])
def test_add_answers_404_for_an_unpublished_course(auth_client, user, redis_cart, hidden):
    course = CourseFactory(**hidden)
    assert_envelope(auth_client.post("/cart/", {"course_id": course.id}, format="json"), 404)
    assert redis_cart(user) == {}


@pytest.mark.parametrize("course_id", [987654, 2**63 - 1])
def test_add_answers_404_for_an_unknown_course(auth_client, user, redis_cart, course_id):
    assert_envelope(auth_client.post("/cart/", {"course_id": course_id}, format="json"), 404)
    assert redis_cart(user) == {}


def test_add_refuses_a_course_the_user_owns(auth_client, user, redis_cart):
    owned = CourseFactory()
    grant_courses(user_id=user.id, course_ids=[owned.id])
    assert_envelope(auth_client.post("/cart/", {"course_id": owned.id}, format="json"), 400)
    assert redis_cart(user) == {}


def test_carts_are_per_user(auth_client, user, redis_cart):
    from apps.users.tests.factories import UserFactory

    other = UserFactory()
    course = CourseFactory()
    auth_client.post("/cart/", {"course_id": course.id}, format="json")
    assert redis_cart(other) == {}


# --- PATCH: tick one, PUT: tick all ----------------------------------------------------------


@pytest.fixture
def two_lines(user):
    first, second = CourseFactory(), CourseFactory()
    redis_store.add_lines(user.id, [first.id, second.id])
    return first, second


def test_patch_unticks_and_ticks_one_line(auth_client, user, redis_cart, two_lines):
    first, second = two_lines
    response = auth_client.patch("/cart/", {"course_id": first.id, "selected": False}, format="json")
    assert response.status_code == 200 and response.json()["data"] == {"cart_total": 2}
    assert redis_cart(user) == {field(first): b"0", field(second): b"1"}

    response = auth_client.patch("/cart/", {"course_id": first.id, "selected": "true"})  # form-encoded
    assert response.status_code == 200
    assert redis_cart(user) == {field(first): b"1", field(second): b"1"}


def test_patch_of_a_course_not_in_the_cart_is_404_and_adds_nothing(auth_client, user, redis_cart, two_lines):
    stranger = CourseFactory()
    assert_envelope(auth_client.patch("/cart/", {"course_id": stranger.id, "selected": True}, format="json"), 404)
    assert field(stranger) not in redis_cart(user) and len(redis_cart(user)) == 2


@pytest.mark.parametrize("selected", ["abc", 2, 1, 0, "1", "yes", None, "", [True]])
def test_patch_refuses_selected_that_is_not_a_boolean(auth_client, user, redis_cart, two_lines, selected):
    first, _ = two_lines
    response = auth_client.patch("/cart/", {"course_id": first.id, "selected": selected}, format="json")
    assert_envelope(response, 400)
    assert "selected" in response.json()["data"]
    assert set(redis_cart(user).values()) == {b"1"}


def test_patch_refuses_missing_fields_in_json_and_in_forms(auth_client, user, redis_cart, two_lines):
    first, _ = two_lines
    assert_envelope(auth_client.patch("/cart/", {"course_id": first.id}, format="json"), 400)
    assert_envelope(auth_client.patch("/cart/", {"course_id": first.id}), 400)  # a form must not mean False
    assert_envelope(auth_client.patch("/cart/", {"selected": False}, format="json"), 400)
    assert_envelope(auth_client.patch("/cart/", {"course_id": "abc", "selected": False}, format="json"), 400)
    assert set(redis_cart(user).values()) == {b"1"}


def test_put_unticks_and_ticks_every_line(auth_client, user, redis_cart, two_lines):
    first, second = two_lines
    response = auth_client.put("/cart/", {"selected": False}, format="json")
    assert response.status_code == 200 and response.json()["data"] == {"cart_total": 2}
    assert redis_cart(user) == {field(first): b"0", field(second): b"0"}

    auth_client.put("/cart/", {"selected": True}, format="json")
    assert redis_cart(user) == {field(first): b"1", field(second): b"1"}


def test_put_on_an_empty_cart_creates_nothing(auth_client, user, redis_cart):
    response = auth_client.put("/cart/", {"selected": True}, format="json")
    assert response.status_code == 200 and response.json()["data"] == {"cart_total": 0}
    assert redis_cart(user) == {}


@pytest.mark.parametrize("body", [{"selected": "abc"}, {"selected": 2}, {}, {"selected": None}])
def test_put_refuses_selected_that_is_not_a_boolean(auth_client, user, redis_cart, two_lines, body):
    assert_envelope(auth_client.put("/cart/", body, format="json"), 400)
    assert set(redis_cart(user).values()) == {b"1"}


# --- DELETE: remove one ---------------------------------------------------------------------


def test_delete_removes_one_line_and_answers_cart_total(auth_client, user, redis_cart, two_lines):
    first, second = two_lines
    response = auth_client.delete(f"/cart/?course_id={first.id}")
    assert response.status_code == 200 and response.json()["data"] == {"cart_total": 1}
    assert redis_cart(user) == {field(second): b"1"}


def test_delete_of_a_line_not_in_the_cart_is_404(auth_client, user, redis_cart, two_lines):
    assert_envelope(auth_client.delete("/cart/?course_id=987654"), 404)
    assert len(redis_cart(user)) == 2


@pytest.mark.parametrize("query", ["", "?course_id=", "?course_id=abc", "?course_id=-3", f"?course_id={2**64}"])
def test_delete_refuses_a_malformed_course_id(auth_client, user, redis_cart, two_lines, query):
    assert_envelope(auth_client.delete(f"/cart/{query}"), 400)
    assert len(redis_cart(user)) == 2


def test_delete_works_for_a_course_deleted_from_the_catalogue(auth_client, user, redis_cart, two_lines):
    first, second = two_lines
    first_id = first.id
    first.delete()
    assert auth_client.delete(f"/cart/?course_id={first_id}").status_code == 200
    assert redis_cart(user) == {field(second): b"1"}


# --- GET: list ------------------------------------------------------------------------------


def test_list_shows_each_line_with_its_course(auth_client, user):
    plain = CourseFactory(name="Python 入门", price="100.00", credit=30)
    on_sale = ActivityPriceFactory(course__price="399.00", sale="-41").course
    redis_store.add_line(user.id, plain.id)
    redis_store.add_line(user.id, on_sale.id, selected=False)

    response = auth_client.get("/cart/")
    assert response.status_code == 200
    lines = response.json()["data"]
    assert [line["id"] for line in lines] == [plain.id, on_sale.id]  # cart order
    assert lines[0] == {
        "id": plain.id,
        "name": "Python 入门",
        "course_cover": "http://testserver/static/images/default_cover.png",
        "price": "100.00",
        "real_price": "100.00",
        "credit": 30,
        "discount": {},
        "selected": True,
        "unpaid_order": None,
    }
    assert lines[1]["selected"] is False
    assert lines[1]["price"] == "399.00" and lines[1]["real_price"] == "358.00"
    assert lines[1]["discount"]["type"] == "限时折扣" and lines[1]["discount"]["price"] == "358.00"


def test_empty_cart_lists_nothing(auth_client):
    response = auth_client.get("/cart/")
    assert response.status_code == 200 and response.json()["data"] == []


def test_list_drops_lines_of_unpublished_or_deleted_courses_from_the_answer_and_redis(auth_client, user, redis_cart):
    kept, hidden, soft_deleted, gone = CourseFactory.create_batch(4)
    redis_store.add_lines(user.id, [kept.id, hidden.id, soft_deleted.id, gone.id])
    hidden.is_show = False
    hidden.save()
    soft_deleted.is_deleted = True
    soft_deleted.save()
    gone.delete()

    lines = auth_client.get("/cart/").json()["data"]
    assert [line["id"] for line in lines] == [kept.id]
    assert redis_cart(user) == {field(kept): b"1"}


@pytest.mark.parametrize("size", [1, 20])
def test_list_costs_the_same_queries_for_1_or_20_lines(auth_client, user, size, django_assert_num_queries):
    courses = [ActivityPriceFactory().course for _ in range(size)]
    redis_store.add_lines(user.id, [course.id for course in courses])
    # the token's user, the courses, their live activity prices, the unpaid orders holding them
    with django_assert_num_queries(4):
        response = auth_client.get("/cart/")
    assert len(response.json()["data"]) == size
