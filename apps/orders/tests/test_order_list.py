import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Prefetch
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from apps.coupon.tests.factories import CouponLogFactory
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order, OrderDetail
from apps.orders.selectors import visible_orders
from apps.orders.serializers import OrderListSchemaSerializer
from apps.orders.tests.factories import OrderDetailFactory, OrderFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_orders(user, count, **fields):
    orders = []
    for _ in range(count):
        order = OrderFactory(user=user, **fields)
        OrderDetailFactory(order=order)
        OrderDetailFactory(order=order)
        orders.append(order)
    return orders


def test_pay_status_choices(api_client):
    expected = [[0, "未支付"], [1, "已支付"], [2, "已取消"], [3, "已超时"], [4, "已退款"]]
    for path in ("/order/pay/status/", "/order/pay/choices/"):
        response = api_client.get(path)
        assert response.status_code == 200 and response.json()["data"] == expected


def test_list_shape_newest_first_only_mine(auth_client, user):
    log = CouponLogFactory(user=user, coupon__name="满300减20", coupon__sale="-20", coupon__condition="300")
    older = make_orders(user, 1)[0]
    newer = OrderFactory(user=user, user_coupon=log, credit=100, real_price=Decimal("70.00"))
    detail = OrderDetailFactory(order=newer, course__price="100.00")
    make_orders(UserFactory(), 2)
    OrderFactory(user=user, is_deleted=True)

    data = auth_client.get("/order/list/").json()["data"]

    assert data["count"] == 2
    first = data["results"][0]
    assert [o["id"] for o in data["results"]] == [newer.id, older.id]
    assert {"id", "order_number", "total_price", "real_price", "pay_time", "created_time", "credit", "coupon",
            "pay_type", "order_status", "order_courses"} <= set(first)  # fmt: skip
    assert first["order_number"] == newer.order_number and first["real_price"] == "70.00"
    assert first["coupon"] == {"id": log.coupon_id, "name": "满300减20", "sale": "-20", "discount": 1,
                               "condition": "300.00"}  # fmt: skip
    assert data["results"][1]["coupon"] == {}
    [line] = first["order_courses"]
    assert line == {
        "id": detail.id, "price": "100.00", "real_price": "100.00", "discount_name": "",
        "course_id": detail.course_id, "course_name": detail.name,
        "course_cover": "http://testserver/static/images/default_cover.png",
    }  # fmt: skip
    assert first["created_time"].endswith("+08:00")
    assert first["expire_time"] is not None


@pytest.mark.parametrize("status, expected", [("0", [0]), ("1", [1]), ("2", [2]), ("3", [3])])
def test_status_filters(auth_client, user, status, expected):
    for value in range(4):
        OrderFactory(user=user, order_status=value)
    data = auth_client.get(f"/order/list/?status={status}").json()["data"]
    assert [o["order_status"] for o in data["results"]] == expected


@pytest.mark.parametrize("status", ["-1", "", "abc", "5", "1.0", "99999999999999999999999"])
def test_other_status_values_mean_all_never_a_500(auth_client, user, status):
    for value in range(4):
        OrderFactory(user=user, order_status=value)
    response = auth_client.get(f"/order/list/?status={status}")
    assert response.status_code == 200 and response.json()["data"]["count"] == 4


def test_order_number_filter_exact_or_prefix(auth_client, user):
    one = OrderFactory(user=user, order_number="202611260000000100000001")
    OrderFactory(user=user, order_number="202611250000000100000002")
    assert auth_client.get(f"/order/list/?order_number={one.order_number}").json()["data"]["count"] == 1
    assert auth_client.get("/order/list/?order_number=20261126").json()["data"]["count"] == 1
    assert auth_client.get("/order/list/?order_number=2026").json()["data"]["count"] == 2
    assert auth_client.get("/order/list/?order_number=abc").status_code == 400


def test_date_filters_are_inclusive_shanghai_days(auth_client, user):
    orders = [OrderFactory(user=user) for _ in range(3)]
    today = timezone.localdate()
    for days_ago, order in zip([0, 1, 3], orders, strict=True):
        Order.objects.filter(pk=order.pk).update(created_time=timezone.now() - timedelta(days=days_ago))
    yesterday = today - timedelta(days=1)
    assert auth_client.get(f"/order/list/?start={yesterday}&end={today}").json()["data"]["count"] == 2
    assert auth_client.get(f"/order/list/?start={today}").json()["data"]["count"] == 1
    assert auth_client.get(f"/order/list/?end={yesterday}").json()["data"]["count"] == 2


@pytest.mark.parametrize(
    "query", ["start=2026-13-01", "start=yesterday", "end=2026/01/01", "start=2026-02-02&end=2026-02-01"]
)
def test_malformed_dates_are_400(auth_client, query):
    response = auth_client.get(f"/order/list/?{query}")
    assert response.status_code == 400 and response.json()["code"] == 400


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=99"])
def test_bad_pages_are_404(auth_client, user, query):
    make_orders(user, 2)
    assert auth_client.get(f"/order/list/?{query}").status_code == 404


def test_query_count_is_the_same_for_5_and_50_orders_per_page(auth_client, user, django_assert_num_queries):
    log = CouponLogFactory(user=user)
    make_orders(user, 50, user_coupon=log)
    # the user of the token, the count (the first time: then it is kept), the page of orders with
    # their coupon, lines and courses
    for size, queries in ((5, 3), (50, 2), (5, 2)):
        with django_assert_num_queries(queries):
            data = auth_client.get(f"/order/list/?size={size}").json()["data"]
        assert len(data["results"]) == size and data["count"] == 50


def count_queries(sql) -> int:
    return sum("COUNT(*)" in query["sql"] for query in sql.captured_queries)


def test_the_kept_count_follows_every_change_of_the_users_visible_orders(
    auth_client, user, django_capture_on_commit_callbacks
):
    """Kept in Redis until the user's visible orders change: an order made, deleted, hidden by
    staff (a save) or removed; status changes and other users' orders keep it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.orders.services import cancel_order, delete_order

    orders = make_orders(user, 3)

    def listed():
        with CaptureQueriesContext(connection) as sql:
            data = auth_client.get("/order/list/").json()["data"]
        return data["count"], count_queries(sql)

    assert listed() == (3, 1)
    assert listed() == (3, 0)
    make_orders(UserFactory(), 2)  # someone else's
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order_id=orders[0].pk)  # a status change: the unfiltered count stays
    assert listed() == (3, 0)
    with django_capture_on_commit_callbacks(execute=True):
        make_orders(user, 1)
    assert listed() == (4, 1)
    with django_capture_on_commit_callbacks(execute=True):
        delete_order(order_id=orders[0].pk)
    assert listed() == (3, 1)
    hidden = orders[1]
    hidden.is_show = False
    with django_capture_on_commit_callbacks(execute=True):
        hidden.save()  # the admin's change form
    assert listed() == (2, 1)
    with django_capture_on_commit_callbacks(execute=True):
        orders[2].delete()
    assert listed() == (1, 1)
    # a filtered tab is always counted
    for _ in range(2):
        with CaptureQueriesContext(connection) as sql:
            auth_client.get("/order/list/?status=0")
        assert count_queries(sql) == 1


def test_a_count_taken_before_a_change_committed_is_never_used(auth_client, user):
    """A reader counts (the old data), the creator replaces the token after its commit, then the
    reader keeps its count: under the old token, so the next listing counts again."""
    from apps.orders import redis_store

    make_orders(user, 2)
    token, kept = redis_store.listing_count(user.pk)
    assert kept is None
    redis_store.new_listing_tokens([user.pk])  # an order committed meanwhile
    make_orders(user, 1)
    redis_store.keep_listing_count(user.pk, token, 2)  # the reader's late write
    assert auth_client.get("/order/list/").json()["data"]["count"] == 3


def test_without_redis_the_listing_counts_in_the_database(auth_client, user, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from apps.orders import redis_store

    def down(*args, **kwargs):
        raise RedisConnectionError("no redis")

    make_orders(user, 2)
    monkeypatch.setattr(redis_store, "listing_count", down)
    response = auth_client.get("/order/list/")
    assert response.status_code == 200 and response.json()["data"]["count"] == 2


def test_list_requires_login(api_client):
    assert api_client.get("/order/list/").status_code == 401


def listed_by_the_serializers(user, request) -> list[dict]:
    """The listing as OrderListSchemaSerializer (the schema's documentation) renders it from model
    instances: how the view answered before it built plain rows."""
    details = OrderDetail.objects.select_related("course").order_by("id")
    orders = (
        visible_orders(user)
        .select_related("user_coupon__coupon")
        .prefetch_related(Prefetch("order_courses", queryset=details))
        .order_by("-id")
    )
    return OrderListSchemaSerializer(orders, many=True, context={"request": request}).data


def test_order_list_items_equal_the_serializers(auth_client, user):
    percent_off = CouponLogFactory(user=user, coupon__discount=2, coupon__sale="*0.8", coupon__condition="99.5")
    yuan_off = CouponLogFactory(user=user, coupon__name="满300减20", coupon__sale="-20", coupon__condition="300")
    covered = CourseFactory(course_cover="course/cover/python 入门.png", price=Decimal("1999.90"))
    paid_at = timezone.now().replace(microsecond=123456) - timedelta(days=2)
    for n, (status, pay_type, log, credit) in enumerate(
        [
            (Order.Status.UNPAID, Order.PayType.ALIPAY, percent_off, 0),
            (Order.Status.PAID, Order.PayType.WECHAT, None, 120),
            (Order.Status.CANCELLED, Order.PayType.BALANCE, yuan_off, 35),
            (Order.Status.TIMEOUT, Order.PayType.ALIPAY, None, 0),
            (Order.Status.PAID, Order.PayType.ALIPAY, yuan_off, 0),
            (Order.Status.UNPAID, Order.PayType.ALIPAY, None, 7),
        ]
    ):
        order = OrderFactory(
            user=user, order_status=status, pay_type=pay_type, user_coupon=log, credit=credit,
            total_price=Decimal("2099.90"), real_price=Decimal(f"{1000 + n}.05"),
            credit_discount=Decimal(credit) / 10, coupon_discount=Decimal("20.00") if log else Decimal("0"),
            pay_time=paid_at if status == Order.Status.PAID else None,
        )  # fmt: skip
        OrderDetailFactory(order=order, course=covered, real_price=Decimal("1599.92"), discount_name="限时折扣")
        OrderDetailFactory(order=order, discount_name="", is_deleted=n == 2)  # deleted lines stay listed
        if n == 3:
            OrderDetailFactory(order=order, course=covered, price=Decimal("0.00"), real_price=Decimal("0.00"))
    OrderFactory(user=user)  # an order without lines
    OrderFactory(user=user, is_deleted=True, order_status=Order.Status.CANCELLED)
    OrderFactory(user=user, is_show=False)
    make_orders(UserFactory(), 2, user_coupon=CouponLogFactory())

    response = auth_client.get("/order/list/?size=50")
    expected = listed_by_the_serializers(user, response.wsgi_request)

    results = response.json()["data"]["results"]
    assert len(results) == len(expected) == 7
    assert {order["order_status"] for order in results} == {0, 1, 2, 3}
    assert any(order["coupon"] for order in results) and any(not order["coupon"] for order in results)
    for listed, serialized in zip(results, json.loads(JSONRenderer().render(expected)), strict=True):
        assert list(listed) == list(serialized)  # the same fields in the same order
        for field, value in serialized.items():
            assert listed[field] == value, (listed["id"], field)
    body = json.loads(response.content)["data"]["results"]
    assert JSONRenderer().render(body) == JSONRenderer().render(expected)
