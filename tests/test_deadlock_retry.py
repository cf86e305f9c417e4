"""A real MariaDB deadlock — two transactions updating the same two rows in opposite order — is
retried by `extension.db.retry_on_deadlock`: InnoDB rolls the victim back whole (error 1213), the
decorator runs it again, and each transaction's effect lands exactly once. MySQL/MariaDB only
(SQLite serialises writers and cannot deadlock)."""

import threading

import pytest
from django.db import connection, transaction
from django.db.models import F

from apps.users.models import User
from apps.users.tests.factories import UserFactory
from extension.db import retry_on_deadlock
from tests.concurrency import run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="a row-lock deadlock needs InnoDB"),
]


def test_a_real_deadlock_victim_is_retried_and_each_transaction_lands_once():
    first, second = UserFactory(credit=0), UserFactory(credit=0)
    both_hold_one_row = threading.Barrier(2, timeout=10)
    attempts = {"forward": 0, "backward": 0}

    def give_credit_to(name, order):
        @retry_on_deadlock
        def give():
            attempts[name] += 1
            with transaction.atomic():
                User.objects.filter(pk=order[0]).update(credit=F("credit") + 1)
                if attempts[name] == 1:
                    both_hold_one_row.wait()  # each holds one row; each now asks for the other's
                User.objects.filter(pk=order[1]).update(credit=F("credit") + 1)
            return attempts[name]

        return give

    results = run_concurrently(
        give_credit_to("forward", (first.pk, second.pk)), give_credit_to("backward", (second.pk, first.pk))
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [1, 2]  # one went through, the victim went through on its second run
    assert list(User.objects.filter(pk__in=[first.pk, second.pk]).values_list("credit", flat=True)) == [2, 2]
