"""Reads of accounts that other apps and the user center share."""

from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.db.models import Case, CharField, F, Q, Value, When

from apps.users.models import Credit, MoneyLog, User, UserCourse
from extension.money import ZERO, to_money
from extension.statements import Statement

# the reads of every request (the JWT's user) and of every cart add and order, compiled once
USER_BY_ID = Statement(lambda user_id: User.objects.filter(pk=user_id))
USER_FOR_UPDATE = Statement(lambda user_id: User.objects.select_for_update().filter(pk=user_id))
LOCK_USERS = Statement(
    lambda user_ids: (
        User.objects.select_for_update().filter(pk__in=user_ids).order_by("pk").values_list("pk", flat=True)
    )
)
OWNED_AMONG = Statement(
    lambda user_id, course_ids: UserCourse.objects.filter(
        user_id=user_id, is_deleted=False, course_id__in=course_ids
    ).values_list("course_id", flat=True)
)


def user_by_id(user_id: int) -> User | None:
    """The account with this id, or None (the JWT's user, on every request)."""
    return USER_BY_ID.first(user_id=user_id)


def locked_user(user_id: int) -> User:
    """The account row, locked until the caller's transaction ends (User.DoesNotExist if gone)."""
    user = USER_FOR_UPDATE.first(user_id=user_id)
    if user is None:
        raise User.DoesNotExist(f"no user {user_id}")
    return user


def lock_users(user_ids) -> None:
    """Row-lock the accounts, in primary key order (transitions lock users before orders, so
    that two of them never wait on each other), until the caller's transaction ends."""
    LOCK_USERS.rows(user_ids=list(user_ids))


def owned_course_ids(*, user_id: int, course_ids=None) -> set[int]:
    """Ids of the courses the user owns (restricted to `course_ids` when given)."""
    if course_ids is not None:
        return set(OWNED_AMONG.rows(user_id=user_id, course_ids=list(course_ids)))
    return set(UserCourse.objects.filter(user_id=user_id, is_deleted=False).values_list("course_id", flat=True))


def user_by_login_name(name: str):
    """The account a login name means: a username, a mobile number or an e-mail address (the
    oldest account when several match), or None. The login backend and the login throttles use
    this one lookup, so all three names of an account share its failure count."""
    return (
        User.objects.filter(Q(username=name) | Q(mobile=name) | Q(email__iexact=name)).order_by("id").first()
        if name
        else None
    )


def max_usable_credit(*, balance: int, course_credit: int, to_pay: Decimal) -> int:
    """The most credit one order may use (SPEC §4.4): what the user has, what its courses allow,
    and no more than buys what is left to pay after the coupon (`to_pay`), so that credit never
    buys nothing. The checkout data and order creation both ask here."""
    to_pay = max(to_money(to_pay), ZERO)
    by_price = int((to_pay * settings.CREDIT_TO_MONEY).to_integral_value(rounding=ROUND_FLOOR))
    return max(0, min(balance, course_credit, by_price))


def owned_courses(*, user_id: int):
    """我的课程: the user's courses, newest first, each with its course's name and cover (one query
    a page). Granted or bought alike; a refunded course is no longer here (its row goes)."""
    return (
        UserCourse.objects.filter(user_id=user_id, is_deleted=False)
        .select_related("course")
        .only("id", "created_time", "course_id", "course__id", "course__name", "course__course_cover")
        .order_by("-created_time", "-id")
    )


def credit_ledger(*, user_id: int, operation: int | None = None):
    """The user's credit history, newest first (`operation` one of Credit.Operation, or all)."""
    queryset = Credit.objects.filter(user_id=user_id)
    if operation is not None:
        queryset = queryset.filter(operation=operation)
    return queryset.order_by("-id")


def money_ledger(*, user_id: int, operation: int | None = None):
    """The user's balance (余额) history, newest first."""
    queryset = MoneyLog.objects.filter(user_id=user_id)
    if operation is not None:
        queryset = queryset.filter(operation=operation)
    return queryset.order_by("-id")


# the columns of a 消费记录 row every source answers (apps/orders/selectors.py has the payments)
RECORD_COLUMNS = ("r_time", "r_kind", "r_amount", "r_channel", "r_order_number", "r_remark", "r_id")
MONEY_RECORD_KINDS = {
    MoneyLog.Operation.RECHARGE: "recharge",
    MoneyLog.Operation.REFUND: "refund",
    MoneyLog.Operation.ADJUST: "adjust",
}


def money_records(*, user_id: int, kinds=None):
    """The balance lines of the 消费记录 timeline: top-ups (paid through Alipay), refunds and staff
    adjustments to the balance, amount signed as the ledger's. Paying an order from the balance is
    left out: the order's payment row already says it (channel "balance"). An unevaluated values()
    queryset, to be combined with the other sources."""
    wanted = [op for op, kind in MONEY_RECORD_KINDS.items() if kinds is None or kind in kinds]
    kind = Case(*[When(operation=op, then=Value(k)) for op, k in MONEY_RECORD_KINDS.items()], output_field=CharField())
    channel = Case(
        When(operation=MoneyLog.Operation.RECHARGE, then=Value("alipay")),
        default=Value("balance"),
        output_field=CharField(),
    )
    return (
        MoneyLog.objects.filter(user_id=user_id, operation__in=wanted)
        .annotate(
            r_time=F("created_time"),
            r_kind=kind,
            r_amount=F("amount"),
            r_channel=channel,
            r_order_number=Value(None, output_field=CharField()),
            r_remark=F("remark"),
            r_id=F("id"),
        )
        .values(*RECORD_COLUMNS)
    )
