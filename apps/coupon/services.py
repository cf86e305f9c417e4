"""Coupon records and their Redis copy. The database is the truth; Redis is a fast copy that
every write here refreshes after commit and `sync_coupons` can rebuild from scratch."""

import json
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from apps.coupon import redis_store
from apps.coupon.exceptions import (
    CouponNotApplicable,
    CouponNotFound,
    CouponNotInTime,
    CouponSoldOut,
    CouponTaken,
    CouponUsed,
)
from apps.coupon.models import Coupon, CouponCourse, CouponCourseCat, CouponDirection, CouponLog
from apps.coupon.rules import CouponRule
from apps.users.selectors import max_usable_credit
from extension.money import ZERO
from extension.statements import Statement, UpdateStatement

logger = logging.getLogger("fsapi.coupon")

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


SCOPE_FIELDS = ("to_direction", "to_category", "to_course")


def scope_prefetches(prefix: str = "") -> list[Prefetch]:
    """Prefetch a coupon's scope links with their targets (`prefix` "coupon__" from a CouponLog)."""
    return [
        Prefetch(f"{prefix}to_direction", queryset=CouponDirection.objects.select_related("direction")),
        Prefetch(f"{prefix}to_category", queryset=CouponCourseCat.objects.select_related("category")),
        Prefetch(f"{prefix}to_course", queryset=CouponCourse.objects.select_related("course")),
    ]


def coupon_fields_by_id(coupon_ids) -> dict[int, dict]:
    """`coupon_fields` of each coupon, its scope links read once per coupon (not per record: a
    sweep batch holds hundreds of records of a few coupons)."""
    coupons = Coupon.objects.filter(pk__in=list(coupon_ids)).prefetch_related(*scope_prefetches())
    return {coupon.id: coupon_fields(coupon) for coupon in coupons}


def _write_available(logs) -> None:
    """Write available records to Redis, expiring at their coupon's end."""
    fields = coupon_fields_by_id({log.coupon_id for log in logs})
    redis_store.write_many((log.user_id, log.id, fields[log.coupon_id], log.coupon.end_time) for log in logs)


# Redis keeps text: these go back to the integers the API (and its schema) promises
INTEGER_FIELDS = ("coupon_id", "discount", "coupon_type", "get_type")


def _decode_record(record: dict) -> dict:
    """A Redis record as the API answers it: scope lists from their JSON text, ids and enums as
    integers."""
    for field in SCOPE_FIELDS:
        record[field] = json.loads(record.get(field) or "[]")
    for field in INTEGER_FIELDS:
        record[field] = int(record[field])
    return record


def coupon_fields(coupon: Coupon) -> dict:
    """Everything the client shows of a record of this coupon, as the Redis hash stores it."""

    def links(rows, key):
        return json.dumps(
            [{f"{key}__id": getattr(row, f"{key}_id"), f"{key}__name": getattr(row, key).name} for row in rows],
            ensure_ascii=False,
        )

    return {
        "coupon_id": coupon.id,
        "name": coupon.name,
        "discount": coupon.discount,
        "get_discount_display": coupon.get_discount_display(),
        "coupon_type": coupon.coupon_type,
        "get_coupon_type_display": coupon.get_coupon_type_display(),
        "get_type": coupon.get_type,
        "get_get_type_display": coupon.get_get_type_display(),
        "start_time": timezone.localtime(coupon.start_time).strftime(TIME_FORMAT),
        "end_time": timezone.localtime(coupon.end_time).strftime(TIME_FORMAT),
        "condition": str(coupon.condition),
        "sale": coupon.sale,
        "to_direction": links(coupon.to_direction.all(), "direction"),
        "to_category": links(coupon.to_category.all(), "category"),
        "to_course": links(coupon.to_course.all(), "course"),
    }


def is_available(log: CouponLog, now=None) -> bool:
    """A record belongs in Redis while it can still be chosen: unused, free, not ended."""
    now = now or timezone.now()
    coupon = log.coupon
    return (
        not log.is_deleted
        and log.is_show
        and log.use_status == CouponLog.UseStatus.UNUSED
        and log.order_id is None
        and not coupon.is_deleted
        and coupon.is_show
        and coupon.end_time > now
    )


def mirror_coupon_logs(coupon_log_ids) -> None:
    """Make Redis agree with the database for these records (write or remove each), in one round
    trip for the writes and one for the removals."""
    coupon_log_ids = set(coupon_log_ids)
    if not coupon_log_ids:
        return
    now = timezone.now()
    logs = list(CouponLog.objects.select_related("coupon").filter(pk__in=coupon_log_ids))
    available, unavailable = [], []
    for log in logs:
        (available if is_available(log, now) else unavailable).append(log)
    _write_available(available)
    redis_store.remove_many((log.user_id, log.id) for log in unavailable)
    gone = coupon_log_ids - {log.id for log in logs}
    if gone:  # deleted rows: their user is unknown now, so look them up in Redis
        redis_store.remove_many(
            (user_id, log_id) for user_id, log_ids in redis_store.all_entries().items() for log_id in log_ids & gone
        )


def mirror_after_commit(coupon_log_ids) -> None:
    """Refresh the Redis copy once the surrounding transaction commits (nothing if it rolls back).
    A Redis failure then is logged, not raised: the database already holds the truth."""
    coupon_log_ids = list(coupon_log_ids)
    if coupon_log_ids:
        transaction.on_commit(lambda: mirror_coupon_logs(coupon_log_ids), robust=True)


def remove_after_commit(entries) -> None:
    """Remove (user_id, coupon_log_id) pairs from Redis once the transaction commits."""
    entries = list(entries)
    if entries:
        transaction.on_commit(lambda: redis_store.remove_many(entries), robust=True)


def user_coupons(user_id: int) -> list[dict]:
    """The user's available coupons, from Redis, scope lists decoded."""
    return [_decode_record(record) for record in redis_store.read_all(user_id)]


def enable_coupons(user_id: int, courses, *, credit_balance: int = 0) -> list[dict]:
    """The user's coupons usable now on `courses`, each with `enable_course` ("__all__" for a
    general coupon, else the ids it applies to), the `amount` it would take off, `real_price`,
    what is left to pay with it before credit (the checkout shows these, never its own sums), and
    `max_credit`, the most credit usable beside it (of `credit_balance`: credit never buys more
    than is left)."""
    now_text = timezone.localtime().strftime(TIME_FORMAT)
    subtotal = sum((course.real_price for course in courses), ZERO)
    course_credit = sum(course.credit for course in courses)
    usable = []
    for record in redis_store.read_all(user_id):
        if record["start_time"] > now_text:
            continue
        rule = CouponRule.from_mirror(record)
        amount = rule.amount_off(courses)
        if amount is None:
            continue
        _decode_record(record)
        if rule.coupon_type == Coupon.CouponType.GENERAL:
            record["enable_course"] = "__all__"
        else:
            record["enable_course"] = sorted(course.id for course in rule.applicable_courses(courses))
        record["amount"] = f"{amount:.2f}"
        record["real_price"] = f"{max(subtotal - amount, ZERO):.2f}"
        record["max_credit"] = max_usable_credit(
            balance=credit_balance, course_credit=course_credit, to_pay=subtotal - amount
        )
        usable.append(record)
    return usable


# --- used by the order service, inside its transaction -------------------------------------


def coupon_for_order(*, user_id: int, coupon_log_id: int, courses) -> tuple[CouponLog, Decimal]:
    """The user's record `coupon_log_id` and what it takes off `courses`, or a typed error:
    not the user's (not found), used, bound to another live order, outside its time window, or
    not applicable / minimum spend not met. Reads the database, never the Redis copy: the record
    with its coupon, then only the scope its type uses (none for a general coupon)."""
    log = (
        CouponLog.objects.select_related("coupon")
        .filter(pk=coupon_log_id, user_id=user_id, is_deleted=False, is_show=True)
        .first()
    )
    if log is None or log.coupon.is_deleted:
        raise CouponNotFound()
    if log.use_status != CouponLog.UseStatus.UNUSED:
        raise CouponUsed()
    if log.order_id is not None:
        raise CouponTaken()
    now = timezone.now()
    if not (log.coupon.start_time <= now < log.coupon.end_time):
        raise CouponNotInTime()
    amount = _order_rule(log.coupon).amount_off(courses)
    if amount is None:
        raise CouponNotApplicable()
    return log, amount


# the scope links each coupon type is matched by (CouponRule.in_scope), and the rule's field for them
SCOPE_OF_TYPE = {
    Coupon.CouponType.DIRECTION: (CouponDirection, "direction_id", "direction_ids"),
    Coupon.CouponType.CATEGORY: (CouponCourseCat, "category_id", "category_ids"),
    Coupon.CouponType.COURSE: (CouponCourse, "course_id", "course_ids"),
}


def _order_rule(coupon: Coupon) -> CouponRule:
    """The coupon's rule with the one scope its type is matched by: one query of ids (none for a
    general coupon) instead of prefetching all three scopes with their targets."""
    scope = SCOPE_OF_TYPE.get(coupon.coupon_type)
    if scope is None:
        return CouponRule.from_coupon(coupon, scope={})
    model, column, field = scope
    return CouponRule.from_coupon(
        coupon, scope={field: frozenset(model.objects.filter(coupon_id=coupon.id).values_list(column, flat=True))}
    )


BIND = UpdateStatement(
    lambda coupon_log_id, order_id: (
        CouponLog.objects.filter(pk=coupon_log_id, use_status=CouponLog.UseStatus.UNUSED, order__isnull=True),
        {"order_id": order_id},
    )
)
UNBIND = UpdateStatement(lambda coupon_log_ids: (CouponLog.objects.filter(pk__in=coupon_log_ids), {"order": None}))


def bind_coupon(*, coupon_log: CouponLog, order_id: int) -> None:
    """Bind the record to the order. The guard is in the UPDATE: of two orders racing for one
    coupon exactly one binds it, the other raises CouponTaken (and its transaction rolls back)."""
    if not BIND.update(coupon_log_id=coupon_log.pk, order_id=order_id):
        raise CouponTaken()
    # out of the offered list, but its Redis hash is kept for release_coupons to put back
    entry = (coupon_log.user_id, coupon_log.pk)
    transaction.on_commit(lambda: redis_store.hide_many([entry]), robust=True)


# the records a cancel or time-out frees, with what decides whether they are offered again
BOUND_UNUSED = Statement(
    lambda order_ids: CouponLog.objects.filter(
        order_id__in=order_ids, use_status=CouponLog.UseStatus.UNUSED
    ).values_list("id", "user_id", "is_deleted", "is_show", "coupon__is_deleted", "coupon__is_show", "coupon__end_time")
)


def release_coupons(*, order_ids) -> list[int]:
    """Free the unused records bound to these orders (cancelled or timed out): available again in
    the database now and in Redis after commit, until each coupon's own end time. In Redis a
    record still available puts back the hash its bind kept (one round trip for all); only those
    whose hash is gone, or that are no longer available (hidden, deleted, coupon ended), go
    through the full `mirror_coupon_logs`."""
    rows = BOUND_UNUSED.rows(order_ids=list(order_ids))
    if not rows:
        return []
    log_ids = [row[0] for row in rows]
    UNBIND.update(coupon_log_ids=log_ids)
    now = timezone.now()
    still_available = [
        (user_id, log_id)
        for log_id, user_id, deleted, shown, coupon_deleted, coupon_shown, end_time in rows
        if not deleted and shown and not coupon_deleted and coupon_shown and end_time > now
    ]
    others = set(log_ids) - {log_id for _, log_id in still_available}

    def refresh_redis():
        gone = redis_store.show_many(still_available)
        mirror_coupon_logs(others | {log_id for _, log_id in gone})

    transaction.on_commit(refresh_redis, robust=True)
    return log_ids


def mark_coupon_used(*, order_id: int) -> None:
    """The order bound to it was paid: the record is used for good."""
    logs = list(
        CouponLog.objects.filter(order_id=order_id, use_status=CouponLog.UseStatus.UNUSED).values_list("id", "user_id")
    )
    if logs:
        CouponLog.objects.filter(pk__in=[log_id for log_id, _ in logs]).update(
            use_status=CouponLog.UseStatus.USED, use_time=timezone.now()
        )
        remove_after_commit([(user_id, log_id) for log_id, user_id in logs])


# --- admin and operators --------------------------------------------------------------------


@transaction.atomic
def issue_coupon(*, coupon: Coupon, users) -> tuple[list[CouponLog], list]:
    """Give the coupon to users, at most `per_limit` each and never more than `has_total` left.
    Answers (records created, users skipped because they hold enough already)."""
    users = list(users)
    held = {}
    for user_id in CouponLog.objects.filter(coupon=coupon, user__in=users, is_deleted=False).values_list(
        "user_id", flat=True
    ):
        held[user_id] = held.get(user_id, 0) + 1
    receivers = [user for user in users if held.get(user.pk, 0) < coupon.per_limit]
    skipped = [user for user in users if user not in receivers]
    if not receivers:
        return [], skipped
    taken = Coupon.objects.filter(pk=coupon.pk, has_total__gte=len(receivers)).update(
        has_total=F("has_total") - len(receivers)
    )
    if not taken:
        raise CouponSoldOut()
    logs = CouponLog.objects.bulk_create([CouponLog(user=user, coupon=coupon) for user in receivers])
    mirror_after_commit([log.pk for log in logs])  # SQLite and MariaDB return the new ids
    return logs, skipped


def sync_coupons() -> dict:
    """Rebuild every user's Redis coupons from the database: write what is available, remove
    what is not, mark ended unused records 已过期. Safe to run at any time."""
    now = timezone.now()
    expired = CouponLog.objects.filter(
        use_status=CouponLog.UseStatus.UNUSED, order__isnull=True, coupon__end_time__lte=now
    ).update(use_status=CouponLog.UseStatus.EXPIRED)
    available = [
        log
        for log in CouponLog.objects.select_related("coupon").filter(
            use_status=CouponLog.UseStatus.UNUSED, order__isnull=True, is_deleted=False, coupon__end_time__gt=now
        )
        if is_available(log, now)
    ]
    wanted: dict[int, set[int]] = {}
    for log in available:
        wanted.setdefault(log.user_id, set()).add(log.id)
    stale = [
        (user_id, log_id)
        for user_id, log_ids in redis_store.all_entries().items()
        for log_id in log_ids - wanted.get(user_id, set())
    ]
    redis_store.remove_many(stale)
    removed = len(stale)
    _write_available(available)
    logger.info("sync_coupons: %d written, %d removed, %d marked expired", len(available), removed, expired)
    return {"written": len(available), "removed": removed, "expired": expired}
