"""Writes on accounts: the profile, course grants, and the two ledgers. This module is the one
writer of `User.credit` with its `Credit` lines and of `User.money` with its `MoneyLog` lines. Every
change is an `F()` update guarded in its WHERE clause (so concurrent changes add up and never go
below zero) with its ledger line in the same transaction; nobody else writes these columns or
tables (a test greps for it), so the ledgers always add up to the balances."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from functools import partial

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F

from apps.users.exceptions import AdjustmentReasonRequired, InsufficientCredit, InsufficientMoney, MobileTaken
from apps.users.models import Credit, MoneyLog, User, UserCourse
from extension.money import ZERO, to_money
from extension.statements import UpdateStatement

logger = logging.getLogger("fsapi.users")

# --- credit ---------------------------------------------------------------------------------
# the checkout's two credit updates (every order with credit, every cancel or time-out of one),
# compiled once (extension/statements.py)
TAKE_CREDIT = UpdateStatement(
    lambda user_id, amount: (User.objects.filter(pk=user_id, credit__gte=amount), {"credit": F("credit") - amount})
)
ADD_CREDIT = UpdateStatement(
    lambda user_ids, amount: (User.objects.filter(pk__in=user_ids), {"credit": F("credit") + amount})
)


@transaction.atomic(savepoint=False)
def spend_credit(*, user_id: int, amount: int, remark: str) -> None:
    """Take `amount` credit from the user, or raise InsufficientCredit and change nothing.

    The guard is in the UPDATE itself, so concurrent spends can never drive the balance below zero.
    Inside a caller's transaction (order creation) it takes no savepoint, two round trips fewer: a
    refusal rolls the caller's whole transaction back, which is what every caller wants.
    """
    if amount <= 0:
        return
    if not TAKE_CREDIT.update(user_id=user_id, amount=amount):
        raise InsufficientCredit()
    Credit.objects.create(user_id=user_id, operation=Credit.Operation.SPEND, number=-amount, remark=remark)


@transaction.atomic
def give_credit(*, user_id: int, amount: int, remark: str, operation: int = Credit.Operation.REFUND) -> None:
    """Add `amount` credit (a refund by default) and log it."""
    if amount <= 0:
        return
    User.objects.filter(pk=user_id).update(credit=F("credit") + amount)
    Credit.objects.create(user_id=user_id, operation=operation, number=amount, remark=remark)


def give_back_credit(refunds: Iterable[tuple[int, int, str]]) -> None:
    """Give back credit in bulk: `refunds` are (user_id, amount, remark), one ledger line each.

    For the time-out sweep, whose batch holds hundreds of users: one UPDATE per distinct total
    (not per user) and one bulk insert of the lines. The caller holds the users' row locks, taken
    in primary-key order (`selectors.lock_users`, from apps/orders/services.py), and its transaction.
    """
    totals: dict[int, int] = defaultdict(int)
    lines = []
    for user_id, amount, remark in refunds:
        if amount > 0:
            totals[user_id] += amount
            lines.append(Credit(user_id=user_id, operation=Credit.Operation.REFUND, number=amount, remark=remark))
    users_by_total: dict[int, list[int]] = defaultdict(list)
    for user_id, total in totals.items():
        users_by_total[total].append(user_id)
    for total, user_ids in sorted(users_by_total.items()):
        ADD_CREDIT.update(user_ids=user_ids, amount=total)
    Credit.objects.bulk_create(lines)


@transaction.atomic
def adjust_credit(*, user_id: int, amount: int, staff, reason: str) -> None:
    """A staff member adds (`amount` > 0) or takes away (< 0) credit, saying why: a relative change
    under the row lock, so a spend or refund that happens meanwhile is kept, never overwritten. The
    ledger line names who and why. Taking more than the user has raises InsufficientCredit."""
    reason = _required_reason(reason)
    if not amount:
        return
    User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).get()
    remark = _staff_remark(staff, reason)
    if amount > 0:
        give_credit(user_id=user_id, amount=amount, remark=remark, operation=Credit.Operation.EARN)
    else:
        spend_credit(user_id=user_id, amount=-amount, remark=remark)


# --- money (余额) ---------------------------------------------------------------------------


@transaction.atomic
def change_money(*, user_id: int, amount: Decimal, operation: int, remark: str) -> MoneyLog | None:
    """Add `amount` yuan to the balance (negative: take it), with one `MoneyLog` line recording the
    balance it left; raise InsufficientMoney and change nothing when the balance would go below
    0.00. Row-locked, so `balance_after` is exact however many changes race."""
    amount = to_money(amount)
    if amount == ZERO:
        return None
    User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).get()
    guarded = User.objects.filter(pk=user_id)
    if amount < ZERO:
        guarded = guarded.filter(money__gte=-amount)
    if not guarded.update(money=F("money") + amount):
        raise InsufficientMoney()
    balance = User.objects.filter(pk=user_id).values_list("money", flat=True).get()
    return MoneyLog.objects.create(
        user_id=user_id, operation=operation, amount=amount, balance_after=balance, remark=remark[:255]
    )


def adjust_money(*, user_id: int, amount: Decimal, staff, reason: str) -> MoneyLog | None:
    """A staff member changes the balance by `amount` yuan, saying why (a relative change, as
    `adjust_credit`); the ledger line names who and why."""
    reason = _required_reason(reason)
    return change_money(
        user_id=user_id, amount=amount, operation=MoneyLog.Operation.ADJUST, remark=_staff_remark(staff, reason)
    )


@transaction.atomic
def adjust_balances(*, user_id: int, credit: int, money: Decimal, staff, reason: str) -> None:
    """The admin's 调整积分/余额: both changes or neither (one transaction)."""
    reason = _required_reason(reason)
    adjust_credit(user_id=user_id, amount=credit, staff=staff, reason=reason)
    adjust_money(user_id=user_id, amount=money, staff=staff, reason=reason)


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AdjustmentReasonRequired()
    return reason


def _staff_remark(staff, reason: str) -> str:
    return f"管理员 {staff.get_username()} 调整：{reason}"[:255]


# --- courses and accounts -------------------------------------------------------------------


def grant_courses(*, user_id: int, course_ids) -> None:
    """Give the user the courses; owning one already is not an error (a replay grants nothing new)."""
    UserCourse.objects.bulk_create(
        [UserCourse(user_id=user_id, course_id=course_id) for course_id in course_ids],
        ignore_conflicts=True,
    )


def revoke_courses(*, user_id: int, course_ids) -> int:
    """Take the courses back (a refunded order): they leave 我的课程 and can be bought again.
    Answers how many the user owned; not owning one is not an error (nothing to take back)."""
    deleted, _ = UserCourse.objects.filter(user_id=user_id, course_id__in=list(course_ids)).delete()
    return deleted


def register_user(*, mobile: str, password: str) -> User:
    """Create a customer account whose username is its mobile number.

    A concurrent registration of the same number loses on the unique index and creates nothing.
    """
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=mobile, mobile=mobile, password=password, nickname=f"用户{mobile[-4:]}"
            )
    except IntegrityError as exc:
        raise MobileTaken() from exc


PROFILE_FIELDS = ("nickname", "avatar", "gender", "position", "city", "signature")


def update_profile(*, user: User, changes: dict) -> User:
    """Save the profile fields in `changes`, and only them: credit and money, which other writers
    move meanwhile, are never written back from the caller's stale copy. A replaced avatar's old
    file is deleted once the change commits; if the change rolls back, the old file stays (the row
    still names it) and the newly stored one is removed."""
    fields = [name for name in PROFILE_FIELDS if name in changes]
    if not fields:
        return user
    for name in fields:
        setattr(user, name, changes[name])
    try:
        with transaction.atomic():
            old_avatar = User.objects.select_for_update().filter(pk=user.pk).values_list("avatar", flat=True).get()
            user.save(update_fields=fields)  # an uploaded avatar is written to storage here
            if "avatar" in fields and old_avatar and old_avatar != user.avatar.name:
                transaction.on_commit(partial(_delete_unused_avatar, old_avatar), robust=True)
    except Exception:
        if "avatar" in fields and user.avatar and user.avatar._committed:  # stored, then rolled back
            try:
                _delete_unused_avatar(user.avatar.name)
            except Exception:
                logger.warning("could not remove avatar %s of a failed update", user.avatar.name, exc_info=True)
        raise
    return user


def _delete_unused_avatar(name: str) -> None:
    """Remove an avatar file that no account names (upload names are unique; the check keeps a
    file a row still names, e.g. the old one after a rollback)."""
    if not User.objects.filter(avatar=name).exists():
        default_storage.delete(name)
        logger.info("deleted avatar file %s, which no account uses any more", name)
