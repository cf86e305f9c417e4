"""The ledger services under real concurrency (a transactional test database: each thread has its
own connection, so the row locks and guarded updates are what keeps the balances right)."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from apps.users.exceptions import InsufficientCredit, InsufficientMoney
from apps.users.models import Credit, MoneyLog, User
from apps.users.services import adjust_credit, change_money, give_credit, spend_credit
from apps.users.tests.factories import UserFactory
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_adjustments_racing_spends_lose_no_update():
    customer = UserFactory()
    staff = UserFactory(is_staff=True)
    give_credit(user_id=customer.pk, amount=100, remark="开户", operation=Credit.Operation.EARN)

    def spend():
        spend_credit(user_id=customer.pk, amount=7, remark="订单")

    def add():
        adjust_credit(user_id=customer.pk, amount=5, staff=staff, reason="补偿")

    results = run_concurrently(*[spend, add] * 6)

    assert all(result is None for result in results), results
    customer.refresh_from_db()
    assert customer.credit == 100 - 6 * 7 + 6 * 5
    assert Credit.objects.filter(user=customer).aggregate(s=Sum("number"))["s"] == customer.credit
    assert Credit.objects.filter(user=customer).count() == 13


def test_racing_money_changes_add_up_and_each_line_records_its_own_balance():
    customer = UserFactory()
    change_money(user_id=customer.pk, amount=Decimal("10.00"), operation=MoneyLog.Operation.RECHARGE, remark="充值")

    def pay():
        return change_money(user_id=customer.pk, amount=Decimal("-3.00"), operation=MoneyLog.Operation.PAY, remark="x")

    results = run_concurrently(*[pay] * 5)

    refused = [r for r in results if isinstance(r, InsufficientMoney)]
    assert len(refused) == 2, results  # 10.00 pays three of them, never a fourth
    customer.refresh_from_db()
    assert customer.money == Decimal("1.00")
    lines = list(MoneyLog.objects.filter(user=customer).order_by("id").values_list("amount", "balance_after"))
    running = Decimal("0.00")
    for amount, balance_after in lines:
        running += amount
        assert balance_after == running
    assert running == User.objects.get(pk=customer.pk).money


def test_racing_spends_of_the_last_credit_never_go_below_zero():
    customer = UserFactory()
    give_credit(user_id=customer.pk, amount=10, remark="开户", operation=Credit.Operation.EARN)
    staff = UserFactory(is_staff=True)

    results = run_concurrently(
        lambda: spend_credit(user_id=customer.pk, amount=6, remark="订单"),
        lambda: adjust_credit(user_id=customer.pk, amount=-6, staff=staff, reason="收回"),
    )

    assert sorted(type(r).__name__ for r in results) == ["InsufficientCredit", "NoneType"]
    assert any(isinstance(r, InsufficientCredit) for r in results)
    customer.refresh_from_db()
    assert customer.credit == 4 == Credit.objects.filter(user=customer).aggregate(s=Sum("number"))["s"]
