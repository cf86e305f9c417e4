"""Top-ups (SPEC §9.2): POST /user/balance/recharge/ → an Alipay link; its notify credits the
balance exactly once through change_money(RECHARGE), checked as an order's notify is."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from apps.payments import exceptions
from apps.payments.models import PayLink, Payment, Recharge
from apps.payments.services import handle_notify
from apps.payments.tests.fake_alipay import RETURN_URL, notify_params, request_params, request_signature_ok, sign_notify
from apps.payments.tests.ledgers import assert_ledgers
from apps.users.models import MoneyLog

pytestmark = pytest.mark.django_db


def recharge(client, amount="100.00"):
    return client.post("/user/balance/recharge/", {"amount": amount}, format="json")


def top_up_notify(recharge_row, alipay_key, **overrides):
    class Named:  # notify_params reads order_number / real_price / pk
        order_number = recharge_row.recharge_number
        real_price = recharge_row.amount
        pk = recharge_row.pk + 500_000

    return notify_params(Named, alipay_key, **overrides)


def test_recharge_answers_an_alipay_link_for_a_new_top_up(auth_client, user, alipay, app_key):
    response = recharge(auth_client, "100.50")

    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    row = Recharge.objects.get()
    assert data["recharge_number"] == row.recharge_number and row.recharge_number.startswith("R")
    assert len(row.recharge_number) == 25 and len(row.recharge_number) != 24  # never an order number
    assert (row.user, row.amount, row.status) == (user, Decimal("100.50"), Recharge.Status.UNPAID)
    params = request_params(data["link"])
    assert request_signature_ok(params, app_key)
    assert f'"out_trade_no":"{row.recharge_number}"' in params["biz_content"]
    assert '"total_amount":"100.50"' in params["biz_content"]
    assert PayLink.objects.filter(out_trade_no=row.recharge_number).exists()
    user.refresh_from_db()
    assert user.money == 0 and not MoneyLog.objects.exists()  # nothing credited before the notify


@pytest.mark.parametrize("amount", ["0.99", "50000.01", "1.001", "abc", "", None, "-5", "NaN", "1e3", 10**20, "１００"])
def test_bad_amounts_are_400_envelopes_and_create_nothing(auth_client, alipay, amount):
    response = auth_client.post("/user/balance/recharge/", {"amount": amount}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "data"} and body["code"] == 400
    assert not Recharge.objects.exists()


def test_the_bounds_are_accepted(auth_client, alipay):
    assert recharge(auth_client, "1.00").status_code == 201
    assert recharge(auth_client, "50000.00").status_code == 201


def test_recharge_needs_a_login(api_client, alipay):
    assert recharge(api_client).status_code == 401
    assert not Recharge.objects.exists()


def test_notify_credits_the_balance_once_and_replays_change_nothing(auth_client, user, alipay, alipay_key):
    recharge(auth_client, "88.80")
    row = Recharge.objects.get()
    params = top_up_notify(row, alipay_key)

    assert Client().post("/payments/alipay/notify/", params).content == b"success"
    assert Client().post("/payments/alipay/notify/", params).content == b"success"  # replay
    assert handle_notify(params) == "already_paid"

    row.refresh_from_db()
    user.refresh_from_db()
    assert row.status == Recharge.Status.PAID and row.trade_no == params["trade_no"]
    assert user.money == Decimal("88.80")
    line = MoneyLog.objects.get()
    assert (line.operation, line.amount, line.balance_after) == (
        MoneyLog.Operation.RECHARGE,
        Decimal("88.80"),
        Decimal("88.80"),
    )
    assert row.recharge_number in line.remark
    assert not Payment.objects.exists()
    assert_ledgers(user, initial_credit=1000)


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"total_amount": "88.81"}, exceptions.WrongAmount),
        ({"total_amount": "abc"}, exceptions.WrongAmount),
        ({"app_id": "2021000000000999"}, exceptions.WrongAppId),
        ({"trade_no": ""}, exceptions.MalformedNotify),
    ],
)
def test_refused_notifies_change_nothing(auth_client, user, alipay, alipay_key, overrides, error):
    recharge(auth_client, "88.80")
    row = Recharge.objects.get()
    with pytest.raises(error):
        handle_notify(top_up_notify(row, alipay_key, **overrides))
    assert Client().post("/payments/alipay/notify/", top_up_notify(row, alipay_key, **overrides)).status_code == 400
    row.refresh_from_db()
    user.refresh_from_db()
    assert (row.status, user.money, MoneyLog.objects.count()) == (Recharge.Status.UNPAID, 0, 0)


def test_a_bad_signature_or_unknown_top_up_is_refused(auth_client, user, alipay, alipay_key):
    recharge(auth_client, "88.80")
    row = Recharge.objects.get()
    forged = {**top_up_notify(row, alipay_key), "total_amount": "88.80", "sign": "Zm9yZ2Vk"}
    with pytest.raises(exceptions.BadSignature):
        handle_notify({**forged, "buyer_id": "2088000000009999"})
    with pytest.raises(exceptions.UnknownTrade):
        handle_notify(top_up_notify(row, alipay_key, out_trade_no="R202612010000000000000000"))
    user.refresh_from_db()
    assert user.money == 0


def test_seller_id_is_checked_when_set(auth_client, user, alipay, alipay_key, settings):
    settings.ALIPAY_SELLER_ID = "2088999999999999"
    recharge(auth_client, "10.00")
    row = Recharge.objects.get()
    with pytest.raises(exceptions.WrongSellerId):
        handle_notify(top_up_notify(row, alipay_key))
    assert handle_notify(top_up_notify(row, alipay_key, seller_id="2088999999999999")) == "paid"


def test_a_trade_belongs_to_one_order_or_top_up(auth_client, user, order, alipay, alipay_key):
    """An order's trade never credits a top-up, and a top-up's trade never pays an order."""
    handle_notify(notify_params(order, alipay_key))
    recharge(auth_client, "10.00")
    row = Recharge.objects.get()
    order_trade = Payment.objects.get().trade_no
    with pytest.raises(exceptions.TradeOfAnotherOrder):
        handle_notify(top_up_notify(row, alipay_key, trade_no=order_trade))
    assert handle_notify(top_up_notify(row, alipay_key, trade_no="2026TOPUP1")) == "paid"

    other = type(order).objects.create(
        user=user, name="x", order_number="202612010000000000000777", real_price=Decimal("10.00")
    )
    with pytest.raises(exceptions.TradeOfAnotherOrder):
        handle_notify(notify_params(other, alipay_key, trade_no="2026TOPUP1"))
    # the same top-up notified with a second trade is refused (Alipay keeps one trade per number)
    with pytest.raises(exceptions.RechargeTradeMismatch):
        handle_notify(top_up_notify(row, alipay_key, trade_no="2026TOPUP2"))
    user.refresh_from_db()
    assert user.money == Decimal("10.00")
    assert_ledgers(user, initial_credit=1000)


def test_a_top_up_paid_after_its_link_expired_is_still_credited(auth_client, user, alipay, alipay_key):
    recharge(auth_client, "20.00")
    row = Recharge.objects.get()
    Recharge.objects.filter(pk=row.pk).update(expire_at=timezone.now() - timedelta(hours=1))
    assert handle_notify(top_up_notify(row, alipay_key)) == "paid"
    user.refresh_from_db()
    assert user.money == Decimal("20.00")
    assert_ledgers(user, initial_credit=1000)


def test_a_non_success_status_is_acknowledged_and_credits_nothing(auth_client, user, alipay, alipay_key):
    recharge(auth_client, "20.00")
    row = Recharge.objects.get()
    assert handle_notify(top_up_notify(row, alipay_key, trade_status="WAIT_BUYER_PAY")) == "ignored"
    user.refresh_from_db()
    assert user.money == 0


def cashier_path(link):
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def test_sandbox_cashier_pays_a_top_up_and_the_return_page_answers_it(auth_client, user, sandbox_settings):
    link = recharge(auth_client, "66.00").json()["data"]["link"]
    assert link.startswith("http://testserver/payments/alipay/sandbox/cashier/?")
    row = Recharge.objects.get()
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(cashier_path(link))
    assert page.status_code == 200 and row.recharge_number in page.content.decode()

    paid = browser.post(cashier_path(link), {"csrfmiddlewaretoken": page.cookies["csrftoken"].value})

    assert paid.status_code == 302 and paid["Location"].startswith(RETURN_URL + "?")
    user.refresh_from_db()
    assert user.money == Decimal("66.00")
    result = auth_client.get("/payments/alipay/result/", request_params(paid["Location"]))
    assert result.status_code == 200
    body = result.json()
    assert body["message"] == "充值成功，余额已到账"
    assert body["data"]["recharge_number"] == row.recharge_number and body["data"]["status"] == 1
    # a second click is refused by the cashier (already paid) and credits nothing more
    again = Client().post(cashier_path(link))
    assert again.status_code == 409
    user.refresh_from_db()
    assert user.money == Decimal("66.00")
    assert_ledgers(user, initial_credit=1000)


def test_return_page_of_an_unpaid_top_up_says_it_is_being_confirmed(auth_client, alipay, alipay_key):
    recharge(auth_client, "5.00")
    row = Recharge.objects.get()
    params = sign_notify(
        {"app_id": "2021000000000001", "out_trade_no": row.recharge_number, "method": "alipay.trade.page.pay.return"},
        alipay_key,
    )
    result = auth_client.get("/payments/alipay/result/", params)
    assert result.status_code == 200 and result.json()["message"] == "充值结果确认中，请稍后刷新"
    assert result.json()["data"]["status"] == 0
