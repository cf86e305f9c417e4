"""spend_credit inside a caller's transaction (order creation): no savepoint of its own, and a
refusal still leaves nothing behind."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.users.exceptions import InsufficientCredit
from apps.users.models import Credit
from apps.users.services import spend_credit

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_spend_inside_a_transaction_takes_no_savepoint(user):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        spend_credit(user_id=user.id, amount=10, remark="r")
    assert not [q["sql"] for q in queries if "SAVEPOINT" in q["sql"].upper()]
    user.refresh_from_db()
    assert user.credit == 990 and Credit.objects.filter(user=user, number=-10).count() == 1


def test_a_refused_spend_rolls_the_callers_transaction_back(user):
    with pytest.raises(InsufficientCredit), transaction.atomic():
        spend_credit(user_id=user.id, amount=10, remark="kept?")
        spend_credit(user_id=user.id, amount=5000, remark="too much")
    user.refresh_from_db()
    assert user.credit == 1000 and not Credit.objects.filter(user=user).exists()
