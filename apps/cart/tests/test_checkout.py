import pytest

from apps.cart import redis_store
from apps.course.tests.factories import ActivityPriceFactory, CourseFactory
from apps.users.tests.factories import UserFactory
from conftest import client_for

pytestmark = pytest.mark.django_db


def checkout(client) -> dict:
    response = client.get("/cart/order/")
    assert response.status_code == 200 and response.json()["code"] == 200
    return response.json()["data"]


def test_nothing_selected_is_an_empty_checkout(auth_client, user, settings):
    settings.CREDIT_TO_MONEY = 10
    assert checkout(auth_client) == {
        "course_list": [],
        "total_price": "0.00",
        "real_price": "0.00",
        "max_credit": 0,
        "credit_to_money": 10,
    }
    redis_store.add_line(user.id, CourseFactory().id, selected=False)
    assert checkout(auth_client)["course_list"] == []


def test_checkout_sums_the_selected_lines_at_activity_prices(auth_client, user):
    on_sale = ActivityPriceFactory(course__price="399.00", course__credit=40, sale="-41").course
    plain = CourseFactory(price="100.10", credit=30)
    unselected = CourseFactory(price="1000.00", credit=500)
    redis_store.add_lines(user.id, [on_sale.id, plain.id])
    redis_store.add_line(user.id, unselected.id, selected=False)

    data = checkout(auth_client)
    assert [(line["id"], line["price"], line["real_price"]) for line in data["course_list"]] == [
        (on_sale.id, "399.00", "358.00"),
        (plain.id, "100.10", "100.10"),
    ]
    assert data["course_list"][0]["discount"]["price"] == "358.00"
    assert data["course_list"][0]["course_cover"].startswith("http://testserver/")
    assert data["total_price"] == "499.10"
    assert data["real_price"] == "458.10"
    assert data["max_credit"] == 70  # the user has 1000 credits, the courses allow 40 + 30


def test_max_credit_is_the_users_balance_when_that_is_smaller():
    poor = UserFactory(credit=25)
    course = CourseFactory(credit=50)
    redis_store.add_line(poor.id, course.id)
    assert checkout(client_for(poor))["max_credit"] == 25


def test_checkout_uses_the_configured_credit_rate(auth_client, settings):
    settings.CREDIT_TO_MONEY = 100
    assert checkout(auth_client)["credit_to_money"] == 100


def test_checkout_leaves_out_and_drops_selected_lines_of_unpublished_courses(auth_client, user, redis_cart):
    kept, hidden = CourseFactory(price="10.00"), CourseFactory(price="20.00", is_show=False)
    redis_store.add_lines(user.id, [kept.id, hidden.id])

    data = checkout(auth_client)
    assert [line["id"] for line in data["course_list"]] == [kept.id]
    assert data["total_price"] == "10.00"
    assert redis_cart(user) == {str(kept.id).encode(): b"1"}


@pytest.mark.parametrize("size", [1, 20])
def test_checkout_costs_the_same_queries_for_1_or_20_lines(auth_client, user, size, django_assert_num_queries):
    redis_store.add_lines(user.id, [ActivityPriceFactory().course.id for _ in range(size)])
    with django_assert_num_queries(4):  # + the unpaid orders holding the lines
        assert len(checkout(auth_client)["course_list"]) == size
