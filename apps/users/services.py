"""Writes on accounts: credit changes (always with a credit-log line), course grants, the profile."""

import logging
from functools import partial

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F

from apps.users.exceptions import InsufficientCredit, MobileTaken
from apps.users.models import Credit, User, UserCourse

logger = logging.getLogger("fsapi.users")


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
