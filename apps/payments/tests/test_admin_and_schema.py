import pytest
from django.test import Client

from apps.payments.models import Payment
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser():
    admin = UserFactory(is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    return browser


def make_payment(order, trade_no, status):
    return Payment.objects.create(
        order=order,
        out_trade_no=order.order_number,
        trade_no=trade_no,
        amount=order.real_price,
        status=status,
        source=Payment.Source.NOTIFY,
    )


def test_admin_lists_filters_and_searches_payments(admin_browser, order):
    make_payment(order, "T-PAID", Payment.Status.PAID)
    make_payment(order, "T-REFUND", Payment.Status.REFUND_REQUIRED)

    refund_required = admin_browser.get("/admin/payments/payment/", {"status__exact": Payment.Status.REFUND_REQUIRED})
    by_order = admin_browser.get("/admin/payments/payment/", {"q": order.order_number})
    by_trade = admin_browser.get("/admin/payments/payment/", {"q": "T-PAID"})

    assert refund_required.status_code == 200
    assert "T-REFUND" in refund_required.content.decode() and "T-PAID" not in refund_required.content.decode()
    assert "T-PAID" in by_order.content.decode() and "T-REFUND" in by_order.content.decode()
    assert "T-REFUND" not in by_trade.content.decode()


def test_admin_action_marks_refund_required_payments_refunded_once(admin_browser, order):
    refund = make_payment(order, "T-REFUND", Payment.Status.REFUND_REQUIRED)
    paid = make_payment(order, "T-PAID", Payment.Status.PAID)

    response = admin_browser.post(
        "/admin/payments/payment/",
        {"action": "mark_as_refunded", "_selected_action": [refund.pk, paid.pk]},
        follow=True,
    )

    assert response.status_code == 200
    refund.refresh_from_db()
    paid.refresh_from_db()
    assert refund.status == Payment.Status.REFUNDED and refund.remark
    assert paid.status == Payment.Status.PAID


def test_schema_documents_every_payments_endpoint(api_client):
    paths = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    for path in [
        "/payments/alipay/{order_number}/",
        "/payments/alipay/result/",
        "/payments/alipay/notify/",
        "/payments/alipay/query/{order_number}/",
    ]:
        assert path in paths, path
    assert "text/plain" in paths["/payments/alipay/notify/"]["post"]["responses"]["200"]["content"]
