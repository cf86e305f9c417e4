"""Refunds (SPEC §9.3): the customer's request, staff approving / rejecting / retrying it, the automatic
refund of REFUND_REQUIRED payments, the gateway calls, and the books after every step."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.coupon.models import CouponLog
from apps.orders.models import Order
from apps.payments import refunds
from apps.payments.channel import get_gateway
from apps.payments.exceptions import RefundNotPending
from apps.payments.gateway import GatewayRefused, GatewayUnavailable
from apps.payments.models import Payment, Refund
from apps.payments.services import handle_notify
from apps.payments.tasks import execute_refund_task, refund_payment_task, refund_retry_countdown
from apps.payments.tests.refund_helpers import assert_books_balance, late_payment, paid_order, unpaid_order
from apps.users.models import Credit, MoneyLog, User, UserCourse
from apps.users.selectors import owned_course_ids
from apps.users.tests.factories import UserFactory
from conftest import client_for
from extension import metrics

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_browser(staff):
    browser = Client()
    browser.force_login(staff)
    return browser


def refund_url(order):
    return reverse("order-refund", kwargs={"pk": order.pk})


def books(alipay):
    assert_books_balance(refunded_at_gateway=alipay.refunded_total(), refunds_at_gateway=alipay.money_moves)


def queued_tasks() -> list[str]:
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return [json.loads(raw)["headers"]["task"] for raw in broker.lrange("celery", 0, -1)]


# --- the gateway -----------------------------------------------------------------------------


def test_gateway_refund_is_signed_idempotent_and_bounded(alipay, settings):
    gateway = get_gateway()
    answer = gateway.refund(out_trade_no="N1", trade_no="T1", out_request_no="R1", amount=Decimal("8"), reason="r")
    again = gateway.refund(out_trade_no="N1", trade_no="T1", out_request_no="R1", amount=Decimal("8"), reason="r")
    method, biz = alipay.calls[0]
    assert method == "alipay.trade.refund"
    assert biz["refund_amount"] == "8.00" and biz["out_request_no"] == "R1" and biz["trade_no"] == "T1"
    assert answer.refunded and again.refunded and again.raw["fund_change"] == "N"
    assert alipay.money_moves == 1
    known = gateway.refund_query(out_trade_no="N1", trade_no="T1", out_request_no="R1")
    unknown = gateway.refund_query(out_trade_no="N1", trade_no="T1", out_request_no="R2")
    assert alipay.calls[2][0] == "alipay.trade.fastpay.refund.query"
    assert (known.refunded, known.amount, unknown.refunded) == (True, Decimal("8.00"), False)

    alipay.down = True
    with pytest.raises(GatewayUnavailable):
        gateway.refund(out_trade_no="N1", trade_no="T1", out_request_no="R3", amount=Decimal("1"))
    alipay.down = False
    alipay.refund_refusal = "ACQ.TRADE_NOT_EXIST"
    with pytest.raises(GatewayRefused):
        gateway.refund(out_trade_no="N1", trade_no="T1", out_request_no="R4", amount=Decimal("1"))
    alipay.refund_refusal = "ACQ.SYSTEM_ERROR"  # Alipay's "retry with the same out_request_no"
    with pytest.raises(GatewayUnavailable):
        gateway.refund(out_trade_no="N1", trade_no="T1", out_request_no="R4", amount=Decimal("1"))


def test_sandbox_refunds_once_per_request_never_past_the_trade_and_can_be_switched_off(
    sandbox_settings, alipay_key, order
):
    gateway = get_gateway()
    Payment.objects.create(order=order, out_trade_no=order.order_number, trade_no="ST1", amount=Decimal("10.00"),
                           status=Payment.Status.REFUND_REQUIRED, source=Payment.Source.NOTIFY)  # fmt: skip
    trade = {"out_trade_no": order.order_number, "trade_no": "ST1"}
    assert not gateway.refund_query(**trade, out_request_no="A").refunded
    first = gateway.refund(**trade, out_request_no="A", amount=Decimal("6.00"))
    second = gateway.refund(**trade, out_request_no="A", amount=Decimal("6.00"))
    assert first.refunded and first.raw["fund_change"] == "Y" and second.raw["fund_change"] == "N"
    assert gateway.refunds_of("ST1") == Decimal("6.00")
    with pytest.raises(GatewayRefused):  # 6 + 6 > 10
        gateway.refund(**trade, out_request_no="B", amount=Decimal("6.00"))
    with pytest.raises(GatewayRefused):
        gateway.refund(out_trade_no="X", trade_no="NOPE", out_request_no="C", amount=Decimal("1.00"))
    assert gateway.refund_query(**trade, out_request_no="A").amount == Decimal("6.00")
    gateway.set_unreachable(True)
    with pytest.raises(GatewayUnavailable):
        gateway.refund(**trade, out_request_no="D", amount=Decimal("1.00"))
    with pytest.raises(GatewayUnavailable):
        gateway.refund_query(**trade, out_request_no="A")
    gateway.set_unreachable(False)
    assert gateway.refunds_of("ST1") == Decimal("6.00")


# --- the customer's request ------------------------------------------------------------------


def test_request_refund_of_a_paid_order_then_its_state(alipay, alipay_key):
    user, order, _, _ = paid_order(alipay_key)
    client = client_for(user)
    none_yet = client.get(refund_url(order))
    assert none_yet.status_code == 200 and none_yet.json() == {"code": 200, "message": "ok", "data": None}

    response = client.post(refund_url(order), {"reason": "不想学了"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    refund = Refund.objects.get()
    assert body["data"] == {"refund_id": refund.pk, "status": 0}
    assert (refund.amount, refund.channel, refund.kind) == (order.real_price, "alipay", "requested")
    assert refund.payment.trade_no == order.trade_no

    again = client.post(refund_url(order), {"reason": "再来一次"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == 409
    state = client.get(refund_url(order)).json()["data"]
    assert (state["refund_id"], state["status"], state["get_status_display"]) == (refund.pk, 0, "待审核")
    assert state["reason"] == "不想学了" and state["amount"] == f"{order.real_price:.2f}"
    assert Refund.objects.count() == 1 and alipay.money_moves == 0
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID


def test_refund_state_of_another_customers_or_a_missing_order_is_404(alipay, alipay_key):
    """A "no request" answer goes only to the order's owner: someone else's paid order (with or
    without a request) and an order that does not exist are 404, as every order endpoint."""
    owner, order, _, _ = paid_order(alipay_key)
    intruder = client_for(UserFactory())
    for _ in range(2):
        answer = intruder.get(refund_url(order))
        assert answer.status_code == 404 and answer.json() == {"code": 404, "message": "订单不存在", "data": None}
        client_for(owner).post(refund_url(order), {"reason": "不想学了"}, format="json")
    missing = client_for(owner).get(reverse("order-refund", kwargs={"pk": order.pk + 1000}))
    assert missing.status_code == 404 and missing.json()["data"] is None
    assert client_for(owner).get(refund_url(order)).json()["data"]["status"] == Refund.Status.PENDING


def test_request_refused_for_others_unpaid_late_or_reasonless_orders(alipay, alipay_key, settings):
    user, order, _, _ = paid_order(alipay_key)
    client = client_for(user)
    assert client_for(UserFactory()).post(refund_url(order), {"reason": "x"}, format="json").status_code == 404
    assert client.post(refund_url(order), {}, format="json").status_code == 400
    assert client.post(refund_url(order), {"reason": "   "}, format="json").status_code == 400

    Order.objects.filter(pk=order.pk).update(pay_time=timezone.now() - timedelta(days=8))
    late = client.post(refund_url(order), {"reason": "晚了"}, format="json")
    assert late.status_code == 400 and "7 天" in late.json()["message"]
    settings.REFUND_WINDOW_DAYS = 10
    assert client.post(refund_url(order), {"reason": "还在期限内"}, format="json").status_code == 201

    owner, unpaid, _ = unpaid_order()
    answer = client_for(owner).post(refund_url(unpaid), {"reason": "x"}, format="json")
    assert answer.status_code == 409 and answer.json()["message"] == "只有已支付的订单可以申请退款"
    assert Refund.objects.count() == 1


# --- approval --------------------------------------------------------------------------------


def test_approved_refund_goes_back_to_alipay_once_and_takes_back_courses_and_gives_back_credit(
    alipay, alipay_key, staff, django_capture_on_commit_callbacks
):
    user, order, log, params = paid_order(alipay_key)
    course_ids = set(order.order_courses.values_list("course_id", flat=True))
    assert owned_course_ids(user_id=user.pk) == course_ids
    assert len(client_for(user).get("/user/course/").json()["data"]["results"]) == 1
    user.refresh_from_db()
    assert user.credit == 0
    refund = refunds.request_refund(user=user, order=order, reason="不想学了")
    before = metrics.REFUNDS.labels("refunded")._value.get()

    with django_capture_on_commit_callbacks(execute=True):
        done = refunds.approve_refund(refund_id=refund.pk, staff=staff)

    assert done.status == Refund.Status.REFUNDED and done.approved_by == staff and done.refunded_time
    assert done.answer["fund_change"] == "Y" and done.open_order is None
    order.refresh_from_db()
    user.refresh_from_db()
    log.refresh_from_db()
    assert order.order_status == Order.Status.REFUNDED
    assert owned_course_ids(user_id=user.pk) == set()
    assert user.credit == 100
    back = Credit.objects.get(user=user, operation=Credit.Operation.REFUND)
    assert back.number == 100 and order.order_number in back.remark and "退款" in back.remark
    assert log.use_status == CouponLog.UseStatus.USED  # the coupon is not given back
    assert Payment.objects.get(order=order).status == Payment.Status.REFUNDED
    assert [biz["refund_amount"] for method, biz in alipay.calls if method == "alipay.trade.refund"] == [
        f"{order.real_price:.2f}"
    ]
    assert metrics.REFUNDS.labels("refunded")._value.get() == before + 1
    books(alipay)

    with pytest.raises(RefundNotPending):  # a second click
        refunds.approve_refund(refund_id=refund.pk, staff=staff)
    assert refunds.execute_refund(refund_id=refund.pk).status == Refund.Status.REFUNDED
    # a replayed notify of the refunded order's trade changes nothing
    assert handle_notify(params) == "already_paid"
    order.refresh_from_db()
    assert order.order_status == Order.Status.REFUNDED and Payment.objects.count() == 1
    assert alipay.money_moves == 1 and UserCourse.objects.filter(user=user).count() == 0
    books(alipay)
    client = client_for(user)
    assert client.get(refund_url(order)).json()["data"]["status"] == 2
    assert client.get("/user/course/").json()["data"]["results"] == []  # 我的课程 no longer has it
    records = client.get("/user/records/").json()["data"]["results"]
    assert [(r["kind"], r["amount"], r["channel"], r["order_number"]) for r in records] == [
        ("refund", f"{order.real_price:.2f}", "alipay", order.order_number),
        ("payment", f"-{order.real_price:.2f}", "alipay", order.order_number),
    ]
    assert len(client.get("/user/records/", {"kind": "refund"}).json()["data"]["results"]) == 1
    listed = client.get(reverse("order-list"), {"status": 4}).json()["data"]["results"]
    assert [row["order_number"] for row in listed] == [order.order_number]
    assert client.get(reverse("order-pay-status")).json()["data"][4] == [4, "已退款"]


def test_approval_with_alipay_down_stays_refunding_and_the_task_retries_it_once(
    alipay, alipay_key, staff, django_capture_on_commit_callbacks
):
    user, order, _, _ = paid_order(alipay_key)
    refund = refunds.request_refund(user=user, order=order, reason="r")
    alipay.down = True
    with django_capture_on_commit_callbacks(execute=True):
        state = refunds.approve_refund(refund_id=refund.pk, staff=staff)
    assert state.status == Refund.Status.REFUNDING and "unreachable" in state.last_error
    assert queued_tasks() == ["apps.payments.tasks.execute_refund_task"]
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID and alipay.money_moves == 0
    books(alipay)

    execute_refund_task.apply(args=[refund.pk])  # still down: retried (eagerly) up to the limit, nothing sent
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDING and refund.attempts == 1 + 1 + execute_refund_task.max_retries
    assert alipay.money_moves == 0

    alipay.down = False
    execute_refund_task.apply(args=[refund.pk])
    execute_refund_task.apply(args=[refund.pk])
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED and order.order_status == Order.Status.REFUNDED
    assert alipay.money_moves == 1
    # the retry asked Alipay first (refund query) since earlier attempts had been made
    assert "alipay.trade.fastpay.refund.query" in [method for method, _ in alipay.calls]
    books(alipay)


def test_a_refund_whose_answer_was_lost_is_finished_from_the_refund_query_without_sending_again(
    alipay, alipay_key, staff, monkeypatch
):
    user, order, _, _ = paid_order(alipay_key)
    refund = refunds.request_refund(user=user, order=order, reason="r")
    real_refund = type(get_gateway()).refund

    def refund_then_lose_the_answer(self, **kwargs):
        real_refund(self, **kwargs)
        raise GatewayUnavailable("read timed out")

    monkeypatch.setattr(type(get_gateway()), "refund", refund_then_lose_the_answer)
    assert refunds.approve_refund(refund_id=refund.pk, staff=staff).status == Refund.Status.REFUNDING
    monkeypatch.undo()
    assert refunds.execute_refund(refund_id=refund.pk).status == Refund.Status.REFUNDED
    assert [m for m, _ in alipay.calls if m.startswith("alipay.trade.")][-2:] == [
        "alipay.trade.refund",
        "alipay.trade.fastpay.refund.query",
    ]
    assert alipay.money_moves == 1
    books(alipay)


def test_retry_countdown_backs_off_and_is_capped():
    assert [refund_retry_countdown(n) for n in range(8)] == [30, 60, 120, 240, 480, 960, 1800, 1800]


def test_rejected_request_keeps_the_order_and_allows_a_new_one(alipay, alipay_key, staff):
    user, order, _, _ = paid_order(alipay_key)
    refund = refunds.request_refund(user=user, order=order, reason="r")
    with pytest.raises(Exception) as error:
        refunds.reject_refund(refund_id=refund.pk, staff=staff, reason=" ")
    assert error.value.status_code == 400
    rejected = refunds.reject_refund(refund_id=refund.pk, staff=staff, reason="课程已学完")
    assert (rejected.status, rejected.reject_reason) == (Refund.Status.REJECTED, "课程已学完")
    with pytest.raises(RefundNotPending):
        refunds.approve_refund(refund_id=refund.pk, staff=staff)
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID and alipay.money_moves == 0
    state = client_for(user).get(refund_url(order)).json()["data"]
    assert (state["status"], state["reject_reason"]) == (3, "课程已学完")
    assert client_for(user).post(refund_url(order), {"reason": "再申请"}, format="json").status_code == 201
    books(alipay)


def test_refused_refund_fails_and_staff_retry_it(alipay, alipay_key, staff):
    user, order, _, _ = paid_order(alipay_key)
    refund = refunds.request_refund(user=user, order=order, reason="r")
    alipay.refund_refusal = "ACQ.SELLER_BALANCE_NOT_ENOUGH"
    failed = refunds.approve_refund(refund_id=refund.pk, staff=staff)
    assert failed.status == Refund.Status.FAILED and "SELLER_BALANCE_NOT_ENOUGH" in failed.last_error
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID
    alipay.refund_refusal = ""
    assert refunds.retry_refund(refund_id=refund.pk, staff=staff).status == Refund.Status.REFUNDED
    order.refresh_from_db()
    assert order.order_status == Order.Status.REFUNDED and alipay.money_moves == 1
    books(alipay)


def test_a_balance_paid_order_is_refunded_to_the_balance_with_a_ledger_line(staff):
    from apps.payments.tests.factories import OrderFactory

    user = UserFactory()
    order = OrderFactory(user=user, pay_type=Order.PayType.BALANCE)
    Order.objects.filter(pk=order.pk).update(order_status=Order.Status.PAID, pay_time=timezone.now())
    order.refresh_from_db()
    refund = refunds.request_refund(user=user, order=order, reason="r")
    assert refund.channel == Refund.Channel.BALANCE and refund.payment is None
    refunds.approve_refund(refund_id=refund.pk, staff=staff)
    user.refresh_from_db()
    order.refresh_from_db()
    line = MoneyLog.objects.get(user=user)
    assert user.money == Decimal("358.00") == line.amount == line.balance_after
    assert line.operation == MoneyLog.Operation.REFUND and order.order_number in line.remark
    assert order.order_status == Order.Status.REFUNDED
    assert refunds.execute_refund(refund_id=refund.pk).status == Refund.Status.REFUNDED
    assert MoneyLog.objects.count() == 1 and User.objects.get(pk=user.pk).money == Decimal("358.00")


# --- automatic refunds -----------------------------------------------------------------------


def test_a_late_payment_is_queued_for_refund_and_refunded_once(alipay, alipay_key, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        payment = late_payment(alipay_key)
    assert "apps.payments.tasks.refund_payment_task" in queued_tasks()
    refund_payment_task.apply(args=[payment.pk])
    refund_payment_task.apply(args=[payment.pk])
    payment.refresh_from_db()
    refund = Refund.objects.get()
    assert payment.status == Payment.Status.REFUNDED
    assert (refund.kind, refund.status, refund.amount, refund.out_request_no) == (
        "automatic", Refund.Status.REFUNDED, payment.amount, f"RP{payment.pk}",
    )  # fmt: skip
    assert refund.answer["trade_no"] == payment.trade_no and alipay.money_moves == 1
    assert refund.order.order_status == Order.Status.CANCELLED  # the order itself is untouched
    books(alipay)


def test_the_sweep_enqueues_payments_without_a_refund_and_stale_refunding_ones(alipay, alipay_key, settings):
    payment = late_payment(alipay_key)
    other = late_payment(alipay_key)
    alipay.down = True
    with pytest.raises(GatewayUnavailable):
        refunds.refund_required_payment(payment_id=other.pk)
    settings.REFUND_STALE_AFTER = 3600
    assert refunds.sweep_refunds() == 1  # the payment without a refund; the other is fresh
    settings.REFUND_STALE_AFTER = 0
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    assert refunds.sweep_refunds() == 2
    assert sorted(queued_tasks()) == [
        "apps.payments.tasks.execute_refund_task",
        "apps.payments.tasks.refund_payment_task",
    ]
    alipay.down = False
    refunds.refund_required_payment(payment_id=payment.pk)
    refunds.execute_refund(refund_id=Refund.objects.get(payment=other).pk)
    assert set(Payment.objects.values_list("status", flat=True)) == {Payment.Status.REFUNDED}
    assert alipay.money_moves == 2
    books(alipay)


# --- the admin -------------------------------------------------------------------------------


def test_admin_buttons_and_actions_approve_reject_and_retry_through_the_service(alipay, alipay_key, admin_browser):
    user, order, _, _ = paid_order(alipay_key)
    refund = refunds.request_refund(user=user, order=order, reason="不想学了")
    page = reverse("admin:payments_refund_change", args=[refund.pk])
    shown = admin_browser.get(page).content.decode()
    assert "批准退款" in shown and "拒绝退款" in shown
    assert admin_browser.get(reverse("admin:payments_refund_changelist")).status_code == 200

    admin_browser.post(page, {"_reject": "1", "reject_reason_input": ""})
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PENDING  # no reason, nothing changed
    admin_browser.post(page, {"_approve": "1"})
    admin_browser.post(page, {"_approve": "1"})  # clicked twice
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED and alipay.money_moves == 1

    user2, order2, _, _ = paid_order(alipay_key)
    second = refunds.request_refund(user=user2, order=order2, reason="r")
    admin_browser.post(
        reverse("admin:payments_refund_change", args=[second.pk]), {"_reject": "1", "reject_reason_input": "不符合"}
    )
    second.refresh_from_db()
    assert (second.status, second.reject_reason) == (Refund.Status.REJECTED, "不符合")

    third = refunds.request_refund(user=user2, order=order2, reason="r2")
    alipay.refund_refusal = "ACQ.SELLER_BALANCE_NOT_ENOUGH"
    changelist = reverse("admin:payments_refund_changelist")
    admin_browser.post(changelist, {"action": "approve_selected", "_selected_action": [third.pk]})
    third.refresh_from_db()
    assert third.status == Refund.Status.FAILED
    assert "重试退款" in admin_browser.get(reverse("admin:payments_refund_change", args=[third.pk])).content.decode()
    alipay.refund_refusal = ""
    admin_browser.post(changelist, {"action": "retry_selected", "_selected_action": [third.pk]})
    third.refresh_from_db()
    assert third.status == Refund.Status.REFUNDED and alipay.money_moves == 2
    books(alipay)


def test_a_second_request_racing_a_finished_refund_moves_no_money(staff):
    """Simulates a request that passed the "paid" check just before an earlier refund moved the order
    to 4: it fails instead of paying the balance a second time."""
    from apps.payments.tests.factories import OrderFactory

    user = UserFactory()
    order = OrderFactory(user=user, pay_type=Order.PayType.BALANCE)
    Order.objects.filter(pk=order.pk).update(order_status=Order.Status.PAID, pay_time=timezone.now())
    order.refresh_from_db()
    first = refunds.request_refund(user=user, order=order, reason="r")
    refunds.approve_refund(refund_id=first.pk, staff=staff)
    second = Refund.objects.create(order=order, kind="requested", channel="balance", amount=order.real_price,
                                   out_request_no="RQ-late", status=Refund.Status.REFUNDING)  # fmt: skip
    assert refunds.execute_refund(refund_id=second.pk).status == Refund.Status.FAILED
    assert MoneyLog.objects.filter(user=user).count() == 1
    assert User.objects.get(pk=user.pk).money == order.real_price


def test_marking_a_payment_refunded_by_hand_is_refused_while_its_automatic_refund_runs(alipay, alipay_key):
    from apps.payments.exceptions import PaymentNotRefundable
    from apps.payments.services import mark_refunded

    payment = late_payment(alipay_key)
    alipay.down = True
    with pytest.raises(GatewayUnavailable):
        refunds.refund_required_payment(payment_id=payment.pk)
    with pytest.raises(PaymentNotRefundable):
        mark_refunded(payment_id=payment.pk, remark="手工")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUND_REQUIRED
