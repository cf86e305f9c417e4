"""The order admin: a cancel button on an unpaid order's page (through the service, credit and
coupon back once), no hard delete of orders or payments, and the customer's deletes visible."""

import pytest
from django.urls import reverse

from apps.orders.models import Order, OrderDetail
from apps.orders.tests.factories import OrderDetailFactory, OrderFactory
from apps.orders.tests.test_leave_unpaid import assert_given_back_once
from apps.payments.models import Payment
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def change_url(order) -> str:
    return reverse("admin:orders_order_change", args=[order.id])


def cancel_url(order) -> str:
    return reverse("admin:orders_order_cancel", args=[order.id])


def test_unpaid_order_page_has_a_cancel_button_that_cancels_through_the_service(
    staff, user, unpaid_order, django_capture_on_commit_callbacks
):
    order, log = unpaid_order(credit=100)
    user.refresh_from_db()
    assert user.credit == 900

    page = staff.get(change_url(order)).content.decode()
    assert cancel_url(order) in page and "取消订单" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(cancel_url(order), follow=True)

    assert response.status_code == 200
    assert "已取消" in response.content.decode()
    assert_given_back_once(user, order, log, Order.Status.CANCELLED)
    # the cancelled order's page offers no button any more; a second click changes nothing
    assert cancel_url(order) not in staff.get(change_url(order)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        again = staff.post(cancel_url(order), follow=True)
    assert "不是未支付状态" in again.content.decode()
    assert_given_back_once(user, order, log, Order.Status.CANCELLED)


def test_the_cancel_button_leaves_a_paid_order_alone_and_needs_a_post(staff):
    paid = OrderFactory(order_status=Order.Status.PAID)

    assert cancel_url(paid) not in staff.get(change_url(paid)).content.decode()
    assert staff.get(cancel_url(paid)).status_code == 405
    response = staff.post(cancel_url(paid), follow=True)

    assert "不是未支付状态" in response.content.decode()
    paid.refresh_from_db()
    assert paid.order_status == Order.Status.PAID


def test_the_cancel_button_needs_the_change_permission(client, unpaid_order):
    order, _ = unpaid_order(credit=0)
    client.force_login(UserFactory(is_staff=True))  # staff without any order permission

    response = client.post(cancel_url(order))

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID


def test_orders_and_payments_cannot_be_hard_deleted(staff):
    order = OrderFactory(order_status=Order.Status.CANCELLED, is_deleted=True)
    detail = OrderDetailFactory(order=order)
    payment = Payment.objects.create(
        order=order, out_trade_no=order.order_number, trade_no="T-1", amount=order.real_price,
        status=Payment.Status.REFUND_REQUIRED, source=Payment.Source.NOTIFY,
    )  # fmt: skip

    for model, obj in (("orders_order", order), ("orders_orderdetail", detail), ("payments_payment", payment)):
        assert staff.get(reverse(f"admin:{model}_delete", args=[obj.pk])).status_code == 403
        assert staff.post(reverse(f"admin:{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
        changelist = staff.get(reverse(f"admin:{model}_changelist"))
        assert "delete_selected" not in changelist.content.decode()
        # the bulk action is refused too when posted by hand
        staff.post(
            reverse(f"admin:{model}_changelist"),
            {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        )

    assert Order.objects.filter(pk=order.pk).exists()
    assert OrderDetail.objects.filter(pk=detail.pk).exists()
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_order_list_shows_and_filters_the_orders_their_customer_deleted(staff):
    hidden = OrderFactory(order_status=Order.Status.CANCELLED, is_deleted=True)
    kept = OrderFactory(order_status=Order.Status.CANCELLED)
    changelist = reverse("admin:orders_order_changelist")

    page = staff.get(changelist).content.decode()
    assert "用户已删除" in page
    assert hidden.order_number in page and kept.order_number in page

    deleted_only = staff.get(changelist, {"is_deleted__exact": "1"}).content.decode()
    not_deleted = staff.get(changelist, {"is_deleted__exact": "0"}).content.decode()
    assert hidden.order_number in deleted_only and kept.order_number not in deleted_only
    assert kept.order_number in not_deleted and hidden.order_number not in not_deleted
    # the column says which: one "yes" icon in the deleted order's row
    row = next(line for line in page.split("<tr") if hidden.order_number in line)
    assert "icon-yes" in row
    row = next(line for line in page.split("<tr") if kept.order_number in line)
    assert "icon-no" in row
