"""extension.statements.Statement answers what its QuerySet answers (same rows, same types,
converters applied) on SQLite and MariaDB, with one query per call and none for an empty list."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.coupon.models import CouponLog
from apps.orders.models import Order
from apps.users.models import User
from apps.users.tests.factories import UserFactory
from extension import statements
from extension.statements import Statement

pytestmark = pytest.mark.django_db


def fields(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_model_rows_are_the_querysets_with_every_column_converted():
    user = UserFactory(credit=7, money=Decimal("12.50"))
    User.objects.filter(pk=user.pk).update(last_login=timezone.now() - timedelta(days=1))
    by_id = Statement(lambda user_id: User.objects.filter(pk=user_id))
    for _ in range(2):  # compiled, then reused
        row = by_id.first(user_id=user.pk)
        assert fields(row) == fields(User.objects.get(pk=user.pk))
        assert timezone.is_aware(row.last_login) and isinstance(row.money, Decimal) and row.is_active is True
        assert row._state.adding is False and row._state.db == "default"
    assert by_id.first(user_id=user.pk + 1000) is None


def test_values_lists_across_a_join_with_converters():
    orders = [Order.objects.create(user=UserFactory(), order_number=f"N{n}", name="x") for n in range(3)]
    ids = [order.pk for order in orders]
    numbers = Statement(
        lambda order_ids: (
            Order.objects.filter(pk__in=order_ids).order_by("pk").values_list("pk", "user__username", "created_time")
        )
    )
    expected = list(Order.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "user__username", "created_time"))
    assert numbers.rows(order_ids=ids) == expected
    assert numbers.rows(order_ids=[ids[2], ids[0], ids[2]]) == [expected[0], expected[2]]  # a set, as __in
    assert numbers.rows(order_ids=ids[:1]) == expected[:1]  # another length: compiled apart
    assert timezone.is_aware(expected[0][2])


def test_one_query_per_call_and_none_for_nothing_to_match():
    user = UserFactory()
    flat = Statement(lambda user_ids: User.objects.filter(pk__in=user_ids).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        assert flat.rows(user_ids=[user.pk]) == [user.pk]
        assert flat.rows(user_ids=[user.pk]) == [user.pk]
        assert flat.rows(user_ids=[]) == []
        assert flat.rows(user_ids=[2**63]) == []  # no BIGINT holds it: no row, as in the ORM
    assert len(queries.captured_queries) == 2


def test_constants_of_the_queryset_stay_in_the_sql():
    user = UserFactory()
    unused = CouponLog.UseStatus.UNUSED
    of_status = Statement(lambda user_id: User.objects.filter(pk=user_id, is_active=True).values_list("pk", flat=True))
    assert of_status.rows(user_id=user.pk) == [user.pk]
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert of_status.rows(user_id=user.pk) == []
    assert unused == 0  # the marker ids are far from any constant a query of the shop holds
    assert statements.MARKER_BASE > 10**9


@pytest.mark.django_db(transaction=True)
def test_select_for_update_outside_a_transaction_fails_where_the_orm_fails():
    user = UserFactory()
    build = lambda user_id: User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True)  # noqa: E731
    lock = Statement(build)
    with transaction.atomic():
        assert lock.rows(user_id=user.pk) == [user.pk]
    if connection.features.has_select_for_update:  # MariaDB; SQLite has no FOR UPDATE, nor the error
        with pytest.raises(TransactionManagementError):
            list(build(user.pk))
        with pytest.raises(TransactionManagementError):
            lock.rows(user_id=user.pk)
    else:
        assert lock.rows(user_id=user.pk) == list(build(user.pk)) == [user.pk]


def test_long_lists_are_answered_but_not_kept():
    users = UserFactory.create_batch(3)
    flat = Statement(lambda user_ids: User.objects.filter(pk__in=user_ids).values_list("pk", flat=True))
    ids = [user.pk for user in users] + list(range(10**9, 10**9 + statements.MAX_KEPT_LIST))
    assert sorted(flat.rows(user_ids=ids)) == sorted(user.pk for user in users)
    assert flat._compiled == {}


@pytest.mark.parametrize(
    "build",
    [
        lambda user_id: CouponLog.objects.select_related("coupon").filter(pk=user_id),
        lambda user_id: User.objects.filter(pk=user_id).prefetch_related("courses"),
        lambda user_id: User.objects.filter(pk=user_id).values("pk"),
        lambda user_id: User.objects.filter(username=str(user_id)),  # the id does not reach the SQL as given
        lambda user_id: User.objects.filter(pk=user_id, date_joined__lte=timezone.now()),  # kept once, sent forever
    ],
    ids=["select_related", "prefetch", "values-dicts", "id-rewritten", "a-date-kept"],
)
def test_what_it_cannot_keep_faithfully_is_refused_when_compiled(build):
    with pytest.raises(ValueError):
        Statement(build).rows(user_id=1)


def test_an_update_changes_what_the_querysets_update_changes_and_counts_it_alike():
    from django.db.models import F

    from extension.statements import UpdateStatement

    rich, poor = UserFactory(credit=50), UserFactory(credit=5)
    take = UpdateStatement(
        lambda user_id, amount: (User.objects.filter(pk=user_id, credit__gte=amount), {"credit": F("credit") - amount})
    )
    with CaptureQueriesContext(connection) as queries:
        assert take.update(user_id=rich.pk, amount=20) == 1
        assert take.update(user_id=poor.pk, amount=20) == 0  # the guard in the WHERE holds
        assert take.update(user_id=rich.pk, amount=30) == 1
    assert len(queries.captured_queries) == 3
    assert User.objects.get(pk=rich.pk).credit == 0 and User.objects.get(pk=poor.pk).credit == 5

    add = UpdateStatement(
        lambda user_ids, amount: (User.objects.filter(pk__in=user_ids), {"credit": F("credit") + amount})
    )
    assert add.update(user_ids=[rich.pk, poor.pk, rich.pk], amount=7) == 2
    assert add.update(user_ids=[], amount=7) == 0
    assert sorted(User.objects.filter(pk__in=[rich.pk, poor.pk]).values_list("credit", flat=True)) == [7, 12]


def test_an_update_filtered_through_another_table_is_refused():
    from extension.statements import UpdateStatement

    through = UpdateStatement(lambda order_id: (User.objects.filter(user_orders__id=order_id), {"is_active": False}))
    with pytest.raises(ValueError):
        through.update(order_id=1)


def test_an_update_that_would_keep_a_date_is_refused():
    from extension.statements import UpdateStatement

    stamp = UpdateStatement(lambda user_id: (User.objects.filter(pk=user_id), {"last_login": timezone.now()}))
    with pytest.raises(ValueError):
        stamp.update(user_id=1)
