import pytest
from django.conf import settings

from apps.cart import redis_store, services
from apps.cart.exceptions import CartFull
from apps.course.tests.factories import CategoryFactory, CourseFactory
from tests.concurrency import run_concurrently


@pytest.mark.django_db
def test_cart_refuses_the_line_past_the_limit_but_still_reselects_existing_ones(auth_client, user, redis_cart):
    assert settings.CART_MAX_LINES == 100
    courses = CourseFactory.create_batch(101, category=CategoryFactory())
    for number, course in enumerate(courses[:100], start=1):
        response = auth_client.post("/cart/", {"course_id": course.id}, format="json")
        assert response.json()["data"] == {"cart_total": number}

    response = auth_client.post("/cart/", {"course_id": courses[100].id}, format="json")
    assert response.status_code == 400 and response.json()["code"] == 400
    assert "100" in response.json()["message"]
    assert len(redis_cart(user)) == 100 and str(courses[100].id).encode() not in redis_cart(user)

    auth_client.put("/cart/", {"selected": False}, format="json")
    response = auth_client.post("/cart/", {"course_id": courses[0].id}, format="json")
    assert response.status_code == 200 and response.json()["data"] == {"cart_total": 100}
    assert redis_cart(user)[str(courses[0].id).encode()] == b"1"

    auth_client.delete(f"/cart/?course_id={courses[1].id}")
    assert auth_client.post("/cart/", {"course_id": courses[100].id}, format="json").status_code == 200
    assert len(redis_cart(user)) == 100


@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_never_exceed_the_limit(user, redis_cart):
    category = CategoryFactory()
    filler = CourseFactory.create_batch(settings.CART_MAX_LINES - 1, category=category)
    redis_store.add_lines(user.id, [course.id for course in filler])
    contenders = CourseFactory.create_batch(8, category=category)

    results = run_concurrently(
        *[lambda course=course: services.add_to_cart(user=user, course_id=course.id) for course in contenders]
    )

    assert results.count(settings.CART_MAX_LINES) == 1
    assert sum(isinstance(result, CartFull) for result in results) == 7
    assert len(redis_cart(user)) == settings.CART_MAX_LINES


def test_concurrent_adds_at_the_redis_level_fill_exactly_to_the_limit():
    results = run_concurrently(
        *[
            lambda course_id=course_id: redis_store.add_line_within_limit(42, course_id, limit=5)
            for course_id in range(1, 31)
        ]
    )

    assert sorted(result for result in results if result is not None) == [1, 2, 3, 4, 5]
    assert results.count(None) == 25
    assert redis_store.cart_total(42) == 5
