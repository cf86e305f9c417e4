"""Writes on accounts: credit changes (always with a credit-log line) and course grants."""

from django.db import IntegrityError, transaction
from django.db.models import F

from apps.users.exceptions import InsufficientCredit, MobileTaken
from apps.users.models import Credit, User, UserCourse


@transaction.atomic
def spend_credit(*, user_id: int, amount: int, remark: str) -> None:
    """Take `amount` credit from the user, or raise InsufficientCredit and change nothing.

    The guard is in the UPDATE itself, so concurrent spends can never drive the balance below zero.
    """
    if amount <= 0:
        return
    updated = User.objects.filter(pk=user_id, credit__gte=amount).update(credit=F("credit") - amount)
    if not updated:
        raise InsufficientCredit()
    Credit.objects.create(user_id=user_id, operation=Credit.Operation.SPEND, number=-amount, remark=remark)


@transaction.atomic
def give_credit(*, user_id: int, amount: int, remark: str, operation: int = Credit.Operation.REFUND) -> None:
    """Add `amount` credit (a refund by default) and log it."""
    if amount <= 0:
        return
    User.objects.filter(pk=user_id).update(credit=F("credit") + amount)
    Credit.objects.create(user_id=user_id, operation=operation, number=amount, remark=remark)


def grant_courses(*, user_id: int, course_ids) -> None:
    """Give the user the courses; owning one already is not an error (a replay grants nothing new)."""
    UserCourse.objects.bulk_create(
        [UserCourse(user_id=user_id, course_id=course_id) for course_id in course_ids],
        ignore_conflicts=True,
    )


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
