from datetime import timedelta

import pytest
from django.utils import timezone

from apps.course.tests.factories import (
    ActivityFactory,
    ActivityPriceFactory,
    CategoryFactory,
    CourseFactory,
    DirectionFactory,
)

pytestmark = pytest.mark.django_db


def test_directions_are_a_plain_list_of_visible_ones(api_client):
    shown = DirectionFactory(name="前端开发")
    DirectionFactory(name="hidden", is_show=False)
    DirectionFactory(name="deleted", is_deleted=True)
    response = api_client.get("/course/direction/")
    assert response.status_code == 200
    assert response.json() == {"code": 200, "message": "ok", "data": [{"id": shown.id, "name": "前端开发"}]}


def test_categories_filter_by_direction(api_client):
    front, back = DirectionFactory(), DirectionFactory()
    vue = CategoryFactory(direction=front, name="Vue")
    CategoryFactory(direction=back, name="Java")
    CategoryFactory(direction=front, name="hidden", is_show=False)
    assert len(api_client.get("/course/category/").json()["data"]) == 2
    assert len(api_client.get("/course/category/?direction=0").json()["data"]) == 2
    data = api_client.get(f"/course/category/?direction={front.id}").json()["data"]
    assert data == [{"id": vue.id, "name": "Vue", "direction": front.id}]


@pytest.mark.parametrize(
    "query", ["direction=abc", "direction=-1", "direction=1.5", "direction=99999999999999999999999"]
)
def test_bad_filters_are_400(api_client, query):
    response = api_client.get(f"/course/category/?{query}")
    assert response.status_code == 400 and response.json()["code"] == 400
    response = api_client.get(f"/course/?{query}")
    assert response.status_code == 400 and response.json()["code"] == 400


def test_course_list_shape_filters_and_ordering(api_client):
    category = CategoryFactory()
    cheap = CourseFactory(category=category, price="99.00", credit=10)
    dear = CourseFactory(category=category, price="399.00")
    CourseFactory()  # another category
    CourseFactory(category=category, is_show=False)
    CourseFactory(category=category, is_deleted=True)

    response = api_client.get(f"/course/?category={category.id}&ordering=price")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["count"] == 2
    assert [c["id"] for c in data["results"]] == [cheap.id, dear.id]
    first = data["results"][0]
    assert first["price"] == "99.00" and first["credit"] == 10 and first["discount"] == {}
    assert first["course_cover"].startswith("http://testserver/")
    assert api_client.get(f"/course/?direction={category.direction_id}").json()["data"]["count"] == 2
    assert api_client.get("/course/?ordering=-price").json()["data"]["results"][0]["id"] == dear.id


def test_course_list_refuses_unknown_ordering(api_client):
    response = api_client.get("/course/?ordering=password")
    assert response.status_code == 400


def test_live_activity_gives_discount_and_real_price(api_client):
    price = ActivityPriceFactory(course__price="399.00", sale="-41")
    data = api_client.get(f"/course/{price.course_id}/").json()["data"]
    assert data["discount"]["type"] == "限时折扣"
    assert data["discount"]["price"] == "358.00"
    assert 0 < data["discount"]["expire"] <= 24 * 3600
    assert data["real_price"] == "358.00" and data["price"] == "399.00"


@pytest.mark.parametrize("sale, expected", [("*0.8", "80.00"), ("-30", "70.00"), ("59.9", "59.90"), ("-500", "0.00")])
def test_activity_price_rules(sale, expected):
    price = ActivityPriceFactory(course__price="100.00", sale=sale)
    assert price.course.discount["price"] == expected


def test_ended_or_future_activity_gives_no_discount():
    course = CourseFactory()
    now = timezone.now()
    ActivityPriceFactory(
        course=course, activity=ActivityFactory(start_time=now - timedelta(days=3), end_time=now - timedelta(days=1))
    )
    ActivityPriceFactory(
        course=course, activity=ActivityFactory(start_time=now + timedelta(days=1), end_time=now + timedelta(days=3))
    )
    assert course.discount == {}
    assert course.real_price == course.price


def test_best_of_two_live_activities_wins():
    course = CourseFactory(price="100.00")
    ActivityPriceFactory(course=course, sale="*0.9")
    ActivityPriceFactory(course=course, sale="-20")
    assert course.discount["price"] == "80.00"


def test_course_list_query_count_does_not_grow_with_page_size(api_client, django_assert_max_num_queries):
    for _ in range(12):
        ActivityPriceFactory()
    with django_assert_max_num_queries(3):
        assert len(api_client.get("/course/?size=12").json()["data"]["results"]) == 12


@pytest.mark.parametrize("path", ["/course/999/", "/course/abc/", "/course/99999999999999999999999/"])
def test_unknown_course_is_404_in_envelope(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == 404


def test_hidden_course_is_404(api_client):
    course = CourseFactory(is_show=False)
    assert api_client.get(f"/course/{course.id}/").status_code == 404
