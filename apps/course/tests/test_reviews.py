"""Reviews (立即评价, SPEC §9.5) and what the course page tells its viewer: owners review once (a
second post edits), everyone reads the visible reviews, and the course's score and count follow
the visible reviews at once, staff hiding included."""

import threading

import pytest
from django.db import close_old_connections
from django.urls import reverse

from apps.course.models import CourseReview
from apps.course.services import post_review
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.orders.services import pay_order
from apps.payments.tests.factories import OrderFactory
from apps.users.services import grant_courses
from apps.users.tests.factories import UserFactory
from conftest import client_for

pytestmark = pytest.mark.django_db


def owner_of(course, **kwargs):
    user = UserFactory(**kwargs)
    grant_courses(user_id=user.id, course_ids=[course.id])
    return user


def review(course, score, **kwargs):
    user = owner_of(course)
    return CourseReview.objects.create(user=user, course=course, score=score, **kwargs)


# --- the course page ------------------------------------------------------------------------


def test_anonymous_course_page_says_not_owned_and_no_order(api_client, django_assert_num_queries):
    course = CourseFactory()
    with django_assert_num_queries(2):  # the course with its stats, its live prices
        data = api_client.get(f"/course/{course.id}/").json()["data"]
    assert (data["owned"], data["unpaid_order"], data["score"], data["review_count"]) == (False, None, None, 0)


def test_course_page_tells_its_viewer_owned_and_unpaid_order(auth_client, user):
    owned, waiting, other = CourseFactory(), CourseFactory(), CourseFactory()
    grant_courses(user_id=user.id, course_ids=[owned.id])
    order = OrderFactory(user=user, courses=[waiting])
    OrderFactory(courses=[other])  # another customer's unpaid order says nothing to this one

    def state(course):
        data = auth_client.get(f"/course/{course.id}/").json()["data"]
        return data["owned"], data["unpaid_order"]

    assert state(owned) == (True, None)
    assert state(waiting) == (False, order.order_number)
    assert state(other) == (False, None)


def test_score_is_the_visible_average_to_one_decimal_and_hidden_reviews_leave_it(api_client):
    course = CourseFactory()
    for score in (5, 4, 4):
        review(course, score)
    hidden = review(course, 1)
    review(course, 1, is_deleted=True)
    CourseReview.objects.filter(pk=hidden.pk).update(is_show=False)
    review(CourseFactory(), 1)  # another course's

    data = api_client.get(f"/course/{course.id}/").json()["data"]
    assert (data["score"], data["review_count"]) == (4.3, 3)  # 13 / 3 = 4.33
    listed = api_client.get("/course/?size=50").json()["data"]["results"]
    assert {row["id"]: (row["score"], row["review_count"]) for row in listed}[course.id] == (4.3, 3)

    CourseReview.objects.filter(pk=hidden.pk).update(is_show=True)  # staff show it again
    data = api_client.get(f"/course/{course.id}/").json()["data"]
    assert (data["score"], data["review_count"]) == (3.5, 4)


@pytest.mark.parametrize("size", [5, 50])
def test_course_list_with_stats_costs_the_same_queries(api_client, size, django_assert_num_queries):
    for _ in range(size):
        review(CourseFactory(), 4)
    with django_assert_num_queries(3):  # count, the page with its stats, their live prices
        response = api_client.get(f"/course/?size={size}")
    assert len(response.json()["data"]["results"]) == size


# --- POST /course/<id>/review/ ----------------------------------------------------------------


def test_owner_reviews_then_a_second_post_edits_the_same_review(auth_client, user):
    course = CourseFactory()
    grant_courses(user_id=user.id, course_ids=[course.id])
    first = auth_client.post(f"/course/{course.id}/review/", {"score": 4, "content": "不错"}, format="json")
    assert first.status_code == 201 and first.json()["code"] == 200
    assert first.json()["data"]["score"] == 4
    second = auth_client.post(f"/course/{course.id}/review/", {"score": 2, "content": "后来觉得一般"}, format="json")
    assert second.status_code == 200 and second.json()["message"] == "评价已修改"
    assert second.json()["data"]["id"] == first.json()["data"]["id"]
    assert list(CourseReview.objects.values_list("user_id", "course_id", "score", "content")) == [
        (user.id, course.id, 2, "后来觉得一般")
    ]


def test_an_edit_keeps_a_hidden_review_hidden(auth_client, user):
    course = CourseFactory()
    grant_courses(user_id=user.id, course_ids=[course.id])
    auth_client.post(f"/course/{course.id}/review/", {"score": 1, "content": "广告"}, format="json")
    CourseReview.objects.update(is_show=False)
    auth_client.post(f"/course/{course.id}/review/", {"score": 1, "content": "还是广告"}, format="json")
    assert CourseReview.objects.get().is_show is False
    assert auth_client.get(f"/course/{course.id}/reviews/").json()["data"]["count"] == 0


def test_non_owner_is_403_and_nothing_is_written(auth_client, user):
    course = CourseFactory()
    OrderFactory(user=user, courses=[course])  # waiting in an unpaid order is not owning
    OrderFactory(user=user, order_status=Order.Status.CANCELLED, courses=[course])
    response = auth_client.post(f"/course/{course.id}/review/", {"score": 5}, format="json")
    assert response.status_code == 403
    assert response.json() == {"code": 403, "message": "购买该课程后才能评价", "data": None}
    assert not CourseReview.objects.exists()


def test_review_needs_a_login_and_a_published_course(api_client, auth_client, user):
    course = CourseFactory()
    assert api_client.post(f"/course/{course.id}/review/", {"score": 5}, format="json").status_code == 401
    hidden = CourseFactory(is_show=False)
    grant_courses(user_id=user.id, course_ids=[hidden.id])
    assert auth_client.post(f"/course/{hidden.id}/review/", {"score": 5}, format="json").status_code == 404
    assert auth_client.post("/course/999999/review/", {"score": 5}, format="json").status_code == 404
    assert not CourseReview.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [({}, "score"), ({"score": 0}, "score"), ({"score": 6}, "score"), ({"score": "abc"}, "score"),
     ({"score": 4.5}, "score"), ({"score": 5, "content": "x" * 501}, "content"),
     ({"score": 5, "content": "a\u0000b"}, "content")],
)  # fmt: skip
def test_bad_review_input_is_400_in_the_envelope(auth_client, user, body, field):
    course = CourseFactory()
    grant_courses(user_id=user.id, course_ids=[course.id])
    response = auth_client.post(f"/course/{course.id}/review/", body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == 400 and field in payload["data"] and payload["message"]
    assert not CourseReview.objects.exists()


def test_a_500_character_review_is_stored_as_sent(auth_client, user):
    course = CourseFactory()
    grant_courses(user_id=user.id, course_ids=[course.id])
    text = "好" * 500
    assert (
        auth_client.post(f"/course/{course.id}/review/", {"score": 5, "content": text}, format="json").status_code
        == 201
    )
    assert CourseReview.objects.get().content == text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_concurrent_first_reviews_make_one_row_and_never_fail(round_):
    """Six first posts racing: one insert wins, the others edit that row; none fails (MariaDB's
    duplicate-key locks deadlocked a lock-then-insert-then-update transaction here)."""
    course = CourseFactory()
    user = owner_of(course)
    barrier, errors = threading.Barrier(6), []

    def post(score):
        try:
            barrier.wait()
            post_review(user_id=user.id, course_id=course.id, score=score, content=f"第{score}次")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=post, args=(score % 5 + 1,)) for score in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = list(CourseReview.objects.values_list("user_id", "course_id", "score", "content"))
    assert len(rows) == 1 and rows[0][:2] == (user.id, course.id)
    assert rows[0][3] == f"第{rows[0][2]}次"  # one post's score and content, never a mix


# --- GET /course/<id>/reviews/ ----------------------------------------------------------------


def test_reviews_list_visible_ones_newest_first_with_their_authors(api_client):
    course = CourseFactory()
    old = review(course, 5, content="很好")
    new = review(course, 3, content="一般")
    hidden = review(course, 1, content="广告")
    CourseReview.objects.filter(pk=hidden.pk).update(is_show=False)
    new.user.nickname = "小明"
    new.user.save()

    data = api_client.get(f"/course/{course.id}/reviews/").json()["data"]
    assert data["count"] == 2
    assert [row["id"] for row in data["results"]] == [new.id, old.id]
    row = data["results"][0]
    assert set(row) == {"id", "nickname", "avatar", "score", "content", "created_time"}
    assert (row["nickname"], row["score"], row["content"]) == ("小明", 3, "一般")
    assert row["avatar"] and "+08:00" in row["created_time"]


def test_reviews_of_a_missing_course_are_404_and_pages_are_checked(api_client):
    assert api_client.get("/course/999999/reviews/").status_code == 404
    course = CourseFactory()
    for page in ("0", "abc", "2"):
        response = api_client.get(f"/course/{course.id}/reviews/?page={page}")
        assert response.status_code == 404 and response.json()["code"] == 404


@pytest.mark.parametrize("size", [5, 50])
def test_reviews_list_costs_the_same_queries(api_client, size, django_assert_num_queries):
    course = CourseFactory()
    for _ in range(size):
        review(course, 4)
    with django_assert_num_queries(3):  # the course exists, count, the page with its authors
        response = api_client.get(f"/course/{course.id}/reviews/?size={size}")
    assert len(response.json()["data"]["results"]) == size


def test_an_owner_who_paid_an_order_may_review(user):
    course = CourseFactory()
    order = OrderFactory(user=user, courses=[course])
    pay_order(order_id=order.id, trade_no="T1")
    response = client_for(user).post(f"/course/{course.id}/review/", {"score": 5}, format="json")
    assert response.status_code == 201
    assert CourseReview.objects.get().user_id == user.id


# --- the admin ------------------------------------------------------------------------------


def test_staff_hide_a_review_in_the_admin_and_it_leaves_list_and_average(client, api_client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    course = CourseFactory()
    keep, spam = review(course, 5), review(course, 1, content="广告")
    assert client.get(reverse("admin:course_coursereview_changelist")).status_code == 200
    response = client.post(
        reverse("admin:course_coursereview_changelist"),
        {"action": "hide_reviews", "_selected_action": [spam.id]},
    )
    assert response.status_code == 302
    assert list(CourseReview.objects.filter(is_show=False).values_list("id", flat=True)) == [spam.id]
    data = api_client.get(f"/course/{course.id}/").json()["data"]
    assert (data["score"], data["review_count"]) == (5.0, 1)
    listed = api_client.get(f"/course/{course.id}/reviews/").json()["data"]["results"]
    assert [row["id"] for row in listed] == [keep.id]
