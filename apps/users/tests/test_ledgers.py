"""One writer of each ledger (issue 11 item 4): `User.credit` + `Credit` and `User.money` + `MoneyLog`
change only through apps/users/services.py, by relative F() updates with a ledger line in the same
transaction; staff change them through that service (who and why), never by saving a form's
absolute value over a concurrent spend."""

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Sum

from apps.users.exceptions import AdjustmentReasonRequired, InsufficientCredit, InsufficientMoney
from apps.users.models import Credit, MoneyLog
from apps.users.services import adjust_credit, adjust_money, change_money, give_credit, spend_credit
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """What a browser would post back from the page's main form: inputs, checked boxes, selected
    options and textareas, by name."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.setdefault(self._select, []).append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.setdefault(self._textarea, []).append(self._text.strip("\n"))
            self._textarea = None


def posted_back(html: str) -> dict:
    parser = _FormFields()
    parser.feed(html)
    return {name: values if len(values) > 1 else values[0] for name, values in parser.data.items()}


def ledger_sum(user) -> int:
    return Credit.objects.filter(user=user).aggregate(total=Sum("number"))["total"] or 0


@pytest.fixture
def customer(db):
    customer = UserFactory()
    give_credit(user_id=customer.pk, amount=1000, remark="开户赠送", operation=Credit.Operation.EARN)
    return customer


# --- the user form ----------------------------------------------------------------------------


def test_saving_the_user_form_keeps_a_spend_made_after_the_page_was_loaded(admin_client, customer):
    """The lost update: staff open the user's page (1000 credit), the customer spends 100, staff
    save the page (say, a new nickname). The spend must survive; before, the form's 1000 was saved."""
    page = admin_client.get(f"/admin/users/user/{customer.pk}/change/")
    assert page.status_code == 200
    data = posted_back(page.content.decode())
    data.setdefault("credit", "1000")  # what the page used to carry; a stale form still may
    data.setdefault("money", "0.00")
    data["nickname"] = "改过的昵称"

    spend_credit(user_id=customer.pk, amount=100, remark="订单 X 积分抵扣")  # meanwhile
    response = admin_client.post(f"/admin/users/user/{customer.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    customer.refresh_from_db()
    assert customer.nickname == "改过的昵称"
    assert customer.credit == 900 == ledger_sum(customer)
    assert customer.money == Decimal("0.00") and not MoneyLog.objects.exists()


def test_credit_and_money_are_read_only_on_the_user_form(admin_client, customer):
    html = admin_client.get(f"/admin/users/user/{customer.pk}/change/").content.decode()
    assert not re.search(r'name="(credit|money)"', html)
    assert "1000" in html  # still shown


# --- the staff adjustment ---------------------------------------------------------------------


def adjust(admin_client, users, **fields):
    return admin_client.post(
        "/admin/users/user/",
        {"action": "adjust_balance", "_selected_action": [u.pk for u in users], "apply": "1", **fields},
        follow=True,
    )


def test_staff_adjust_credit_and_money_through_the_service_with_who_and_why(admin_client, admin_user, customer):
    spend_credit(user_id=customer.pk, amount=300, remark="订单 X 积分抵扣")

    response = adjust(admin_client, [customer], credit="50", money="12.30", reason="客服补偿")

    assert response.status_code == 200 and "已调整 1 位用户" in response.content.decode()
    customer.refresh_from_db()
    assert customer.credit == 750 == ledger_sum(customer)  # relative: 1000 − 300 + 50
    line = Credit.objects.filter(user=customer).first()
    assert line.number == 50 and line.remark == f"管理员 {admin_user.username} 调整：客服补偿"
    assert customer.money == Decimal("12.30")
    money_line = MoneyLog.objects.get(user=customer)
    assert (money_line.operation, money_line.amount, money_line.balance_after) == (
        MoneyLog.Operation.ADJUST,
        Decimal("12.30"),
        Decimal("12.30"),
    )
    assert admin_user.username in money_line.remark and "客服补偿" in money_line.remark


def test_adjust_needs_a_reason_and_changes_nothing_without_one(admin_client, customer):
    response = adjust(admin_client, [customer], credit="50", money="0", reason="  ")
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    customer.refresh_from_db()
    assert customer.credit == 1000 and Credit.objects.filter(user=customer).count() == 1
    with pytest.raises(AdjustmentReasonRequired):
        adjust_credit(user_id=customer.pk, amount=5, staff=customer, reason="")


def test_adjust_taking_more_than_there_is_changes_nothing_for_that_user(admin_client, customer):
    rich = UserFactory()
    give_credit(user_id=rich.pk, amount=5000, remark="x", operation=Credit.Operation.EARN)
    change_money(user_id=rich.pk, amount=Decimal("100.00"), operation=MoneyLog.Operation.RECHARGE, remark="充值")

    response = adjust(admin_client, [customer, rich], credit="-2000", money="-1.00", reason="误发收回")

    assert "未调整" in response.content.decode() and "已调整 1 位用户" in response.content.decode()
    customer.refresh_from_db()
    rich.refresh_from_db()
    assert customer.credit == 1000 == ledger_sum(customer) and customer.money == Decimal("0.00")
    assert not MoneyLog.objects.filter(user=customer).exists()  # both or neither
    assert rich.credit == 3000 == ledger_sum(rich) and rich.money == Decimal("99.00")


# --- the ledgers in the admin -----------------------------------------------------------------


@pytest.mark.parametrize("model", ["credit", "moneylog"])
def test_ledgers_are_read_only_in_the_admin(admin_client, customer, model):
    change_money(user_id=customer.pk, amount=Decimal("5.00"), operation=MoneyLog.Operation.RECHARGE, remark="充值")
    line = (Credit if model == "credit" else MoneyLog).objects.filter(user=customer).first()
    base = f"/admin/users/{model}/"

    assert admin_client.get(base).status_code == 200
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(f"{base}add/", {"user": customer.pk, "operation": 0, "number": 5}).status_code == 403
    page = admin_client.get(f"{base}{line.pk}/change/")
    assert page.status_code == 200 and 'type="submit"' not in page.content.decode().split('id="content"')[1]
    assert admin_client.post(f"{base}{line.pk}/change/", {"remark": "改"}).status_code == 403
    assert admin_client.post(f"{base}{line.pk}/delete/", {"post": "yes"}).status_code == 403
    deleted = admin_client.post(base, {"action": "delete_selected", "_selected_action": [line.pk], "post": "yes"})
    assert deleted.status_code in (200, 302)
    line.refresh_from_db()  # still there, unchanged
    customer.refresh_from_db()
    assert customer.credit == 1000 == ledger_sum(customer) and customer.money == Decimal("5.00")


# --- the services -----------------------------------------------------------------------------


def test_change_money_records_the_balance_it_left_and_never_goes_below_zero(customer):
    change_money(user_id=customer.pk, amount=Decimal("30.00"), operation=MoneyLog.Operation.RECHARGE, remark="充值")
    change_money(user_id=customer.pk, amount=Decimal("-12.50"), operation=MoneyLog.Operation.PAY, remark="订单")
    with pytest.raises(InsufficientMoney):
        change_money(user_id=customer.pk, amount=Decimal("-17.51"), operation=MoneyLog.Operation.PAY, remark="订单")
    customer.refresh_from_db()
    assert customer.money == Decimal("17.50")
    lines = list(MoneyLog.objects.filter(user=customer).order_by("id").values_list("amount", "balance_after"))
    assert lines == [(Decimal("30.00"), Decimal("30.00")), (Decimal("-12.50"), Decimal("17.50"))]


def test_adjust_money_below_zero_is_refused(customer):
    with pytest.raises(InsufficientMoney):
        adjust_money(user_id=customer.pk, amount=Decimal("-0.01"), staff=customer, reason="测试")
    with pytest.raises(InsufficientCredit):
        adjust_credit(user_id=customer.pk, amount=-1001, staff=customer, reason="测试")
    customer.refresh_from_db()
    assert customer.money == Decimal("0.00") and customer.credit == 1000
    assert not MoneyLog.objects.exists() and Credit.objects.filter(user=customer).count() == 1


# --- nobody else writes them ------------------------------------------------------------------

FORBIDDEN = re.compile(
    r"(?<!class )\bCredit\(|\bCredit\.objects\.(create|bulk_create|update|get_or_create|update_or_create)\b"
    r"|(?<!class )\bMoneyLog\(|\bMoneyLog\.objects\.(create|bulk_create|update|get_or_create|update_or_create)\b"
    r"|\b(credit|money)\s*=\s*F\(|\.update\([^)]*\b(credit|money)\s*="
    r"|[\"'](credit|money)[\"']\s*:\s*F\("  # an UpdateStatement's values (extension/statements.py)
)


def test_only_the_users_app_writes_credit_money_and_their_ledgers():
    """A grep over the code base: no `Credit(`, `Credit.objects.create`, `credit=F(`, `money=F(`
    (nor the MoneyLog equivalents, nor `.update(credit=…)`, nor `{"credit": F(…)}` for an
    UpdateStatement) outside apps/users."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for folder in ("apps", "extension", "fsapi"):
        for path in (root / folder).rglob("*.py"):
            relative = path.relative_to(root)
            if relative.parts[:2] == ("apps", "users") or "tests" in relative.parts or "migrations" in relative.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if FORBIDDEN.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_users_app_writes_the_ledgers_only_in_its_services():
    root = Path(settings.BASE_DIR) / "apps" / "users"
    offenders = [
        f"{path.name}:{number}"
        for path in root.glob("*.py")
        if path.name != "services.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert offenders == []
