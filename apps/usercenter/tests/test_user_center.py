"""The user center's lists (SPEC §9.1): 我的课程, 我的消费记录, the credit ledger, the balance and
我的优惠券. Each is the caller's own, paginated like every list, and costs the same SQL queries
for a page of 5 or of 50."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.coupon.models import Coupon, CouponLog
from apps.coupon.tests.factories import CouponFactory, CouponLogFactory
from apps.course.tests.factories import CategoryFactory, CourseFactory, DirectionFactory
from apps.orders.models import Order
from apps.orders.services import pay_order
from apps.payments.tests.factories import OrderFactory
from apps.users.models import Credit, MoneyLog
from apps.users.services import change_money, give_credit, grant_courses, spend_credit
from apps.users.tests.factories import UserFactory
from conftest import client_for
from tests.envelope import assert_envelope

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def paid_order(user, courses, *, minutes_ago=0, real_price="358.00", pay_type=Order.PayType.ALIPAY):
    order = OrderFactory(user=user, courses=courses, real_price=Decimal(real_price), pay_type=pay_type)
    assert pay_order(order_id=order.id, trade_no=f"T{order.id}", paid_at=NOW - timedelta(minutes=minutes_ago)).name
    order.refresh_from_db()
    return order


def money_line(user, operation, amount, *, minutes_ago=0, remark=""):
    """A balance change through the one writer of the balance, dated `minutes_ago`."""
    line = change_money(user_id=user.id, amount=Decimal(amount), operation=operation, remark=remark)
    MoneyLog.objects.filter(pk=line.pk).update(created_time=NOW - timedelta(minutes=minutes_ago))
    return line


# --- GET /user/course/ ----------------------------------------------------------------------


def test_my_courses_are_the_callers_newest_first_with_the_paying_order(auth_client, user):
    first, second, granted = CourseFactory(name="Python"), CourseFactory(name="Go"), CourseFactory(name="赠课")
    old = paid_order(user, [first], minutes_ago=10)
    new = paid_order(user, [second], minutes_ago=1)
    grant_courses(user_id=user.id, course_ids=[granted.id])
    paid_order(UserFactory(), [CourseFactory()])  # another customer's purchase

    data = auth_client.get("/user/course/").json()["data"]
    assert data["count"] == 3
    rows = data["results"]
    assert [row["course_id"] for row in rows] == [granted.id, second.id, first.id]
    assert rows[0]["order_number"] is None and rows[0]["pay_time"] is None
    assert set(rows[1]) == {"course_id", "name", "course_cover", "order_number", "pay_time"}
    assert (rows[1]["name"], rows[1]["order_number"]) == ("Go", new.order_number)
    assert rows[2]["order_number"] == old.order_number and rows[2]["pay_time"].endswith("+08:00")
    assert rows[2]["course_cover"].startswith("http://testserver/")


def test_unpaid_and_cancelled_orders_give_no_course(auth_client, user):
    OrderFactory(user=user)
    OrderFactory(user=user, order_status=Order.Status.CANCELLED)
    assert auth_client.get("/user/course/").json()["data"]["count"] == 0


# --- GET /user/records/ ---------------------------------------------------------------------


def test_records_are_one_timeline_of_payments_refunds_and_top_ups_newest_first(auth_client, user):
    alipay = paid_order(user, [CourseFactory()], minutes_ago=30, real_price="99.00")
    balance = paid_order(user, [CourseFactory()], minutes_ago=20, real_price="10.50", pay_type=Order.PayType.BALANCE)
    paid_order(user, [CourseFactory()], minutes_ago=5, real_price="0.00")  # nothing paid: no record
    recharge = money_line(user, MoneyLog.Operation.RECHARGE, "100.00", minutes_ago=25, remark="充值")
    money_line(user, MoneyLog.Operation.PAY, "-10.50", minutes_ago=20)  # said by the order's row
    refund = money_line(user, MoneyLog.Operation.REFUND, "10.50", minutes_ago=10, remark="退款到余额")
    OrderFactory(user=user)  # unpaid: nothing paid yet
    paid_order(UserFactory(), [CourseFactory()])
    money_line(UserFactory(), MoneyLog.Operation.RECHARGE, "5.00")

    rows = auth_client.get("/user/records/?size=50").json()["data"]["results"]
    assert [(row["kind"], row["amount"], row["channel"], row["order_number"]) for row in rows] == [
        ("refund", "10.50", "balance", None),
        ("payment", "-10.50", "balance", balance.order_number),
        ("recharge", "100.00", "alipay", None),
        ("payment", "-99.00", "alipay", alipay.order_number),
    ]
    assert set(rows[0]) == {"time", "kind", "amount", "channel", "order_number", "remark"}
    assert rows[0]["remark"] == refund.remark and rows[2]["remark"] == recharge.remark
    assert rows[1]["remark"] == balance.name and rows[3]["time"].endswith("+08:00")

    only = auth_client.get("/user/records/?kind=payment").json()["data"]
    assert only["count"] == 2 and {row["kind"] for row in only["results"]} == {"payment"}
    refunds = auth_client.get("/user/records/?kind=refund").json()["data"]
    assert [row["amount"] for row in refunds["results"]] == ["10.50"]
    assert auth_client.get("/user/records/?kind=").json()["data"]["count"] == 4


def test_deep_pages_of_records_are_exact_and_never_repeat_a_row(auth_client, user):
    """Payments and balance lines interleaved in time (some at the same instant): walking the pages
    gives every record once, in the order of the whole list."""
    for i in range(9):
        paid_order(user, [CourseFactory()], minutes_ago=i * 3, real_price=f"{i + 1}.00")
        money_line(user, MoneyLog.Operation.RECHARGE, f"{i + 1}.01", minutes_ago=i * 3 + (i % 2))
    everything = auth_client.get("/user/records/?size=50").json()["data"]["results"]
    assert len(everything) == 18
    times = [row["time"] for row in everything]
    assert times == sorted(times, reverse=True)
    walked = []
    for page in range(1, 5):
        walked += auth_client.get(f"/user/records/?size=5&page={page}").json()["data"]["results"]
    assert walked == everything
    assert_envelope(auth_client.get("/user/records/?size=5&page=5"), 404)


@pytest.mark.parametrize("kind", ["abc", "PAYMENT", "1", "payment'--", "a\u0000b"])
def test_bad_record_kind_is_400(auth_client, kind):
    body = assert_envelope(auth_client.get("/user/records/", {"kind": kind}), 400)
    assert "kind" in body["data"]


# --- GET /user/credit/ ----------------------------------------------------------------------


def test_credit_ledger_is_the_callers_newest_first_and_filters_by_operation(auth_client, user):
    spend_credit(user_id=user.id, amount=30, remark="下单")
    give_credit(user_id=user.id, amount=30, remark="取消订单退还")
    give_credit(user_id=UserFactory().id, amount=5, remark="别人的")

    rows = auth_client.get("/user/credit/").json()["data"]["results"]
    assert [(row["operation"], row["number"], row["remark"]) for row in rows] == [
        (Credit.Operation.REFUND, 30, "取消订单退还"),
        (Credit.Operation.SPEND, -30, "下单"),
    ]
    assert set(rows[0]) == {"id", "operation", "get_operation_display", "number", "remark", "created_time"}
    assert rows[0]["get_operation_display"] == "退还"
    spent = auth_client.get("/user/credit/?operation=1").json()["data"]
    assert [row["number"] for row in spent["results"]] == [-30]


@pytest.mark.parametrize("operation", ["abc", "9", "-1", "1.5"])
def test_bad_credit_operation_is_400(auth_client, operation):
    assert "operation" in assert_envelope(auth_client.get("/user/credit/", {"operation": operation}), 400)["data"]


# --- GET /user/balance/ ---------------------------------------------------------------------


def test_balance_answers_the_money_and_its_ledger(user):
    recharge = money_line(user, MoneyLog.Operation.RECHARGE, "100.00", minutes_ago=2)
    pay = money_line(user, MoneyLog.Operation.PAY, "-10.50", minutes_ago=1)
    money_line(UserFactory(), MoneyLog.Operation.RECHARGE, "5.00")

    data = client_for(user).get("/user/balance/").json()["data"]
    assert list(data) == ["money", "count", "next", "previous", "results"]
    assert (data["money"], data["count"]) == ("89.50", 2)
    assert [row["balance_after"] for row in data["results"]] == ["89.50", "100.00"]  # the ledger adds up
    assert [(row["id"], row["amount"], row["get_operation_display"]) for row in data["results"]] == [
        (pay.id, "-10.50", "消费"),
        (recharge.id, "100.00", "充值"),
    ]
    assert set(data["results"][0]) == {
        "id", "operation", "get_operation_display", "amount", "balance_after", "remark", "created_time",
    }  # fmt: skip


def test_empty_balance(auth_client):
    assert auth_client.get("/user/balance/").json()["data"] == {
        "money": "0.00", "count": 0, "next": None, "previous": None, "results": [],
    }  # fmt: skip


# --- GET /coupon/mine/ ----------------------------------------------------------------------


def test_my_coupons_by_tab_from_the_database_with_scope_names(auth_client, user):
    direction = DirectionFactory(name="后端开发")
    category = CategoryFactory(name="Python")
    general = CouponLogFactory(user=user, coupon=CouponFactory(name="通用券"))
    by_direction = CouponLogFactory(
        user=user, coupon=CouponFactory(coupon_type=Coupon.CouponType.DIRECTION, directions=[direction])
    )
    by_category = CouponLogFactory(
        user=user, coupon=CouponFactory(coupon_type=Coupon.CouponType.CATEGORY, categories=[category])
    )
    by_course = CouponLogFactory(
        user=user, coupon=CouponFactory(coupon_type=Coupon.CouponType.COURSE, courses=[CourseFactory(name="Go 实战")])
    )
    ended = CouponLogFactory(user=user, coupon=CouponFactory(end_time=NOW - timedelta(hours=1)))
    marked = CouponLogFactory(user=user, use_status=CouponLog.UseStatus.EXPIRED)
    order = OrderFactory(user=user, order_status=Order.Status.PAID, pay_time=NOW)
    used = CouponLogFactory(user=user, use_status=CouponLog.UseStatus.USED, order=order, use_time=NOW)
    bound = CouponLogFactory(user=user)
    unpaid = OrderFactory(user=user, user_coupon=bound)
    CouponLog.objects.filter(pk=bound.pk).update(order=unpaid)
    CouponLogFactory(user=UserFactory())  # someone else's
    CouponLogFactory(user=user, is_deleted=True)

    def tab(query=""):
        return {
            row["user_coupon_id"]: row for row in auth_client.get(f"/coupon/mine/{query}").json()["data"]["results"]
        }

    usable = auth_client.get("/coupon/mine/?size=50").json()["data"]["results"]
    assert [row["user_coupon_id"] for row in usable] == [
        bound.id,
        by_course.id,
        by_category.id,
        by_direction.id,
        general.id,
    ]
    rows = {row["user_coupon_id"]: row for row in usable}
    assert rows[general.id]["scope"] == [] and rows[general.id]["name"] == "通用券"
    assert rows[by_direction.id]["scope"] == ["后端开发"]
    assert rows[by_category.id]["scope"] == ["Python"]
    assert rows[by_course.id]["scope"] == ["Go 实战"]
    assert rows[bound.id]["order_number"] == unpaid.order_number
    assert set(rows[general.id]) == {
        "user_coupon_id", "name", "discount", "get_discount_display", "coupon_type", "get_coupon_type_display",
        "sale", "condition", "start_time", "end_time", "use_status", "use_time", "order_number", "scope",
    }  # fmt: skip
    assert (rows[general.id]["sale"], rows[general.id]["condition"], rows[general.id]["use_status"]) == (
        "-20",
        "0.00",
        0,
    )

    assert tab("?status=usable&size=50").keys() == rows.keys()
    used_tab = tab("?status=used")
    assert list(used_tab) == [used.id] and used_tab[used.id]["order_number"] == order.order_number
    assert used_tab[used.id]["use_status"] == 1 and used_tab[used.id]["use_time"]
    expired_tab = tab("?status=expired")
    assert set(expired_tab) == {ended.id, marked.id}
    assert {row["use_status"] for row in expired_tab.values()} == {2}


@pytest.mark.parametrize("status", ["abc", "USED", "0", "used'--", "a\u0000b"])
def test_bad_coupon_tab_is_400(auth_client, status):
    assert "status" in assert_envelope(auth_client.get("/coupon/mine/", {"status": status}), 400)["data"]


# --- every list: login, pagination, query counts ------------------------------------------

LISTS = ["/user/course/", "/user/records/", "/user/credit/", "/user/balance/", "/coupon/mine/"]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_needs_a_login(api_client, path):
    assert_envelope(api_client.get(path), 401)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("page", ["0", "abc", "2", str(2**64)])
def test_every_list_answers_bad_pages_with_a_404_envelope(auth_client, path, page):
    assert_envelope(auth_client.get(path, {"page": page}), 404)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("size", ["0", "-3", "abc", "500"])
def test_every_list_clamps_bad_sizes(auth_client, path, size):
    response = auth_client.get(path, {"size": size})
    assert response.status_code == 200 and response.json()["data"]["results"] == []


def fill_every_list(user, n: int) -> None:
    """n rows in each of the user's lists, each row drawing on every relation its list shows."""
    direction = DirectionFactory()
    for i in range(n):
        course = CourseFactory()
        paid_order(user, [course], minutes_ago=i)
        money_line(user, MoneyLog.Operation.RECHARGE, "1.00", minutes_ago=i)
        give_credit(user_id=user.id, amount=1, remark="赠送")
        CouponLogFactory(
            user=user, coupon=CouponFactory(coupon_type=Coupon.CouponType.DIRECTION, directions=[direction])
        )


# the token's user, then: count + page (+ one query per kind of relation the page shows)
QUERIES = {
    "/user/course/": 4,  # + the paid orders of the page's courses
    "/user/records/": 5,  # a count per source, one UNION ALL of payments, balance lines and Alipay refunds
    "/user/credit/": 3,
    "/user/balance/": 3,
    "/coupon/mine/": 6,  # + the three kinds of scope links
}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("size", [5, 50])
def test_every_list_costs_the_same_queries_whatever_the_page_size(user, path, size, django_assert_num_queries):
    fill_every_list(user, 50)
    client = client_for(user)
    with django_assert_num_queries(QUERIES[path]):
        response = client.get(path, {"size": size})
    assert len(response.json()["data"]["results"]) == size
