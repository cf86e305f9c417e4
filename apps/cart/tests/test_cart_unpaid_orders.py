"""The cart marks lines waiting in an unpaid order, and refuses at once to add a course that is
owned (400) or waiting in an unpaid order (409 naming it), instead of failing only at the submit."""

import pytest
from django.utils import timezone

from apps.cart import redis_store
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.payments.tests.factories import OrderFactory
from apps.users.services import grant_courses

pytestmark = pytest.mark.django_db


def test_lines_carry_the_unpaid_order_that_holds_them(auth_client, user):
    held, free, elsewhere = CourseFactory(), CourseFactory(), CourseFactory()
    order = OrderFactory(user=user, courses=[held])
    OrderFactory(courses=[free])  # someone else's unpaid order of `free` marks nothing here
    OrderFactory(user=user, order_status=Order.Status.CANCELLED, courses=[elsewhere])
    redis_store.add_lines(user.id, [held.id, free.id, elsewhere.id])

    lines = auth_client.get("/cart/").json()["data"]
    assert {line["id"]: line["unpaid_order"] for line in lines} == {
        held.id: order.order_number,
        free.id: None,
        elsewhere.id: None,
    }
    checkout = auth_client.get("/cart/order/").json()["data"]["course_list"]
    assert {line["id"]: line["unpaid_order"] for line in checkout}[held.id] == order.order_number


def test_adding_a_course_waiting_in_an_unpaid_order_is_409_naming_it(auth_client, user):
    course = CourseFactory()
    order = OrderFactory(user=user, courses=[course])
    response = auth_client.post("/cart/", {"course_id": course.id}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == 409 and order.order_number in body["message"]
    assert body["data"] == {"course_id": course.id, "order_number": order.order_number}
    assert redis_store.cart_lines(user.id) == {}


def test_adding_an_owned_course_is_400_and_adds_nothing(auth_client, user):
    course = CourseFactory()
    grant_courses(user_id=user.id, course_ids=[course.id])
    response = auth_client.post("/cart/", {"course_id": course.id}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": 400,
        "message": "您已购买过该课程，无需再加入购物车，可在「我的课程」中学习",
        "data": {"course_id": course.id},
    }
    assert redis_store.cart_lines(user.id) == {}


def test_a_course_whose_order_was_cancelled_or_paid_elsewhere_can_be_added(auth_client, user):
    course = CourseFactory()
    OrderFactory(user=user, order_status=Order.Status.TIMEOUT, courses=[course])
    OrderFactory(order_status=Order.Status.PAID, pay_time=timezone.now(), courses=[course])
    response = auth_client.post("/cart/", {"course_id": course.id}, format="json")
    assert response.status_code == 200, response.json()
    assert redis_store.cart_lines(user.id) == {course.id: True}
