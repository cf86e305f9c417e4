"""Every change of an order's life: create, cancel, time out, pay, refund, delete, recover.

Leaving UNPAID happens in exactly one place, `_leave_unpaid`: it locks the users' rows and then
the orders' rows (always in that order, each by primary key, so concurrent transitions cannot
deadlock), and its guarded UPDATE … WHERE order_status = 0 decides who wins. The winner gives the
credit and the coupon back exactly once; Redis, Celery and Alipay calls run after commit.
"""

import enum
import logging
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.cart.services import add_courses, remove_courses, selected_courses
from apps.coupon.services import bind_coupon, coupon_for_order, mark_coupon_used, release_coupons
from apps.orders import redis_store
from apps.orders.exceptions import (
    CoursesAlreadyOwned,
    CoursesInUnpaidOrder,
    EmptySelection,
    InvalidCredit,
    OrderNotCancellable,
    OrderNotDeletable,
    OrderNotFound,
    OrderNotRecoverable,
    OrderNumberUnavailable,
)
from apps.orders.hooks import before_timeout, orders_left_unpaid
from apps.orders.models import Order, OrderDetail
from apps.orders.numbers import format_order_number
from apps.orders.selectors import VISIBLE, unpaid_order_numbers, user_order_exists
from apps.users.models import MoneyLog, User
from apps.users.selectors import lock_users, locked_user, max_usable_credit, owned_course_ids
from apps.users.services import (
    change_money,
    give_back_credit,
    give_credit,
    grant_courses,
    revoke_courses,
    spend_credit,
)
from extension import metrics
from extension.db import retry_on_deadlock
from extension.money import ZERO, to_money
from extension.statements import Statement

logger = logging.getLogger("fsapi.orders")

ORDER_NUMBER_ATTEMPTS = 5


class PayResult(enum.Enum):
    PAID = "paid"  # this call moved the order 0 → 1
    ALREADY_PAID = "already_paid"  # a replay: it was paid before, nothing changed
    CLOSED = "closed"  # it had left 0 for cancelled / timed out: nothing changed


# --- create ---------------------------------------------------------------------------------


def next_order_number() -> str:
    """YYYYMMDD (Shanghai) + 16 digits from the shop's Redis counter under a keyed permutation
    (apps/orders/numbers.py): unique, and revealing neither the user nor the shop's order count."""
    return format_order_number(timezone.localdate(), redis_store.next_order_counter())


def _order_lines(user_id: int, courses) -> list:
    """The selected published courses by id, refused when none, when any is owned already or
    waiting in another unpaid order of the user."""
    courses = sorted(courses, key=lambda course: course.id)
    if not courses:
        raise EmptySelection()
    ids = [course.id for course in courses]
    owned = owned_course_ids(user_id=user_id, course_ids=ids)
    if owned:
        names = "、".join(course.name for course in courses if course.id in owned)
        raise CoursesAlreadyOwned(f"您已购买过：{names}，请从购物车中移除后再下单")
    if unpaid_order_numbers(user_id=user_id, course_ids=ids):
        raise CoursesInUnpaidOrder()
    return courses


def _credit_discount(credit: int, user: User, courses, to_pay: Decimal) -> Decimal:
    """What `credit` takes off, or InvalidCredit (naming the largest usable amount in its message
    and `data.max_credit`) when it is more than the user has, than the courses allow, or than buys
    what is left to pay after the coupon: credit never buys nothing."""
    bound = max_usable_credit(balance=user.credit, course_credit=sum(c.credit for c in courses), to_pay=to_pay)
    if credit < 0 or credit > user.credit:
        raise InvalidCredit(
            f"积分不足：您当前有 {user.credit} 积分，本单最多可使用 {bound} 积分", data={"max_credit": bound}
        )
    if credit > bound:
        raise InvalidCredit(f"本单最多可使用 {bound} 积分", data={"max_credit": bound})
    return to_money(Decimal(credit) / settings.CREDIT_TO_MONEY)


class _OrderNumberTaken(Exception):
    """The fresh order number is someone's already (the Redis counter was reset): the whole
    create runs again, rolled back first (no savepoint per insert for a clash this rare)."""


def create_order(*, user: User, pay_type: int, user_coupon_id: int = -1, credit: int = 0) -> Order:
    """Create an unpaid order from the selected cart lines (SPEC §4) or raise a typed error and
    change nothing; an order that costs 0.00 after discounts is paid at once. The user's row lock
    serialises one user's orders, so a double submit cannot create two orders; the coupon bind
    and the credit spend are guarded updates."""
    for _ in range(ORDER_NUMBER_ATTEMPTS):
        try:
            return _create_order(user=user, pay_type=pay_type, user_coupon_id=user_coupon_id, credit=credit)
        except _OrderNumberTaken:
            logger.warning("order number clash for user %s, taking the next one", user.pk)
    raise OrderNumberUnavailable()


@retry_on_deadlock
def _create_order(*, user: User, pay_type: int, user_coupon_id: int, credit: int) -> Order:
    with transaction.atomic():
        user_row = locked_user(user.pk)
        courses = _order_lines(user.pk, selected_courses(user_id=user.pk))

        coupon_log, coupon_discount = None, ZERO
        if user_coupon_id != -1:
            coupon_log, coupon_discount = coupon_for_order(
                user_id=user.pk, coupon_log_id=user_coupon_id, courses=courses
            )
        total_price = sum((course.price for course in courses), ZERO)
        subtotal = sum((course.real_price for course in courses), ZERO)
        credit_discount = _credit_discount(credit, user_row, courses, to_pay=subtotal - coupon_discount)
        real_price = max(subtotal - coupon_discount - credit_discount, ZERO)
        order = _insert_order(
            user_id=user.pk,
            name=_order_name(courses),
            pay_type=pay_type,
            total_price=total_price,
            real_price=to_money(real_price),
            credit=credit,
            credit_discount=credit_discount,
            coupon_discount=coupon_discount,
            user_coupon=coupon_log,
        )
        OrderDetail.objects.bulk_create(
            [
                OrderDetail(
                    order=order,
                    course=course,
                    name=course.name,
                    price=course.price,
                    real_price=course.real_price,
                    discount_name=course.discount.get("type", ""),
                )
                for course in courses
            ]
        )
        if coupon_log is not None:
            bind_coupon(coupon_log=coupon_log, order_id=order.pk)
        spend_credit(user_id=user.pk, amount=credit, remark=f"订单 {order.order_number} 积分抵扣")
        if order.real_price > ZERO and pay_type == Order.PayType.BALANCE:
            _pay_from_balance(order)
        if order.real_price == ZERO or pay_type == Order.PayType.BALANCE:
            # coupon and credit cover it all, or the balance paid it: nothing for Alipay to collect
            pay_order(order_id=order.pk, trade_no="")
            order.refresh_from_db(fields=["order_status", "pay_time"])

        ordered = [course.id for course in courses]
        transaction.on_commit(lambda: remove_courses(user_id=user.pk, course_ids=ordered), robust=True)
        transaction.on_commit(lambda: schedule_timeout(order.pk), robust=True)
        metrics.after_commit(metrics.ORDERS_CREATED)
    logger.info("order %s created for user %s: %s", order.order_number, user.pk, order.real_price)
    return order


def _pay_from_balance(order: Order) -> None:
    """Take the order's real price from the balance (余额, pay_type 2) under the user's row lock
    the caller holds, or raise InsufficientMoney (400 余额不足), which rolls the whole order back:
    no order, credit and coupon untouched. The ledger line names the order, so a refund of a
    balance-paid order (order.pay_type == BALANCE) goes back through change_money(REFUND)."""
    change_money(
        user_id=order.user_id,
        amount=-order.real_price,
        operation=MoneyLog.Operation.PAY,
        remark=f"订单 {order.order_number} 余额支付",
    )


def _order_name(courses) -> str:
    name = "购买课程：" + "、".join(course.name for course in courses)
    return name if len(name) <= 255 else name[:252] + "…"


def _insert_order(*, user_id: int, **fields) -> Order:
    """Insert the order under a fresh number; a clash (the Redis counter was reset, or the number
    key changed the same day) raises _OrderNumberTaken, and create_order starts again."""
    try:
        return Order.objects.create(user_id=user_id, order_number=next_order_number(), **fields)
    except IntegrityError as error:  # the only unique key an insert of a new order can hit
        raise _OrderNumberTaken() from error


def schedule_timeout(order_id: int) -> None:
    """Time the order out ORDER_TIMEOUT seconds from now. If the broker is down, the beat sweep
    (expire_overdue_orders) still times it out: log, don't fail the request."""
    from apps.orders.tasks import order_timeout

    try:
        order_timeout.apply_async(kwargs={"order_id": order_id}, countdown=settings.ORDER_TIMEOUT)
    except Exception:
        logger.warning("could not schedule the time-out of order %s; the sweep will", order_id, exc_info=True)


# --- leave unpaid: cancel, time out ---------------------------------------------------------


LEAVING_FIELDS = ("id", "user_id", "credit", "order_number", "order_status")  # what giving back reads
UNPAID_OWNERS = Statement(
    lambda order_ids: Order.objects.filter(pk__in=order_ids, order_status=Order.Status.UNPAID).values_list(
        "user_id", flat=True
    )
)
UNPAID_LOCKED = Statement(
    lambda order_ids: (
        Order.objects.filter(pk__in=order_ids, order_status=Order.Status.UNPAID)
        .select_for_update()
        .order_by("pk")
        .only(*LEAVING_FIELDS)
    )
)

UNPAID_OWNED_LOCKED = Statement(
    lambda order_id, owner_id: (
        Order.objects.filter(pk=order_id, user_id=owner_id, order_status=Order.Status.UNPAID, **VISIBLE)
        .select_for_update()
        .only(*LEAVING_FIELDS)
    )
)


def _leave_unpaid(order_ids, new_status: int, *, created_before: datetime | None = None) -> list[Order]:
    """Move the still-unpaid orders among `order_ids` to `new_status` and give back their credit
    and coupons. Answers the orders this call moved; the others (already left 0, or newer than
    `created_before`) are untouched. Must run inside a transaction."""
    order_ids = list(order_ids)
    if created_before is None:  # a cancel: both reads compiled once (extension/statements.py)
        owners = UNPAID_OWNERS.rows(order_ids=order_ids)
        lock_orders = partial(UNPAID_LOCKED.rows, order_ids=order_ids)
    else:
        candidates = Order.objects.filter(
            pk__in=order_ids, order_status=Order.Status.UNPAID, created_time__lte=created_before
        )
        owners = candidates.values_list("user_id", flat=True)
        lock_orders = partial(list, candidates.select_for_update().order_by("pk").only(*LEAVING_FIELDS))
    user_ids = set(owners)
    if not user_ids:
        return []
    lock_users(user_ids)  # users before orders, as every transition
    return _move_locked(lock_orders(), new_status)


def _move_locked(orders: list[Order], new_status: int) -> list[Order]:
    """The unpaid `orders`, their users' rows and their own locked by the caller, to `new_status`,
    with everything given back."""
    if not orders:
        return []
    moved_ids = [order.pk for order in orders]
    updated = Order.objects.filter(pk__in=moved_ids, order_status=Order.Status.UNPAID).update(
        order_status=new_status, updated_time=timezone.now()
    )
    if updated != len(moved_ids):  # cannot happen under the locks; never restore what did not move
        raise OrderNotCancellable()
    for order in orders:
        order.order_status = new_status
    _give_back(orders, new_status)
    return orders


def _give_back(orders: list[Order], new_status: int) -> None:
    """Credit back to each user (in bulk, through the users' ledger service: a sweep batch holds
    hundreds of users), one log line per order, and coupons freed."""
    label = Order.Status(new_status).label
    give_back_credit(
        (order.user_id, order.credit, f"订单 {order.order_number} {label}，退还积分")
        for order in orders
        if order.credit
    )
    release_coupons(order_ids=[order.pk for order in orders])
    # payments closes their Alipay trades, so that they cannot be paid later (best effort)
    orders_left_unpaid.send_on_commit(order_numbers=[order.order_number for order in orders])


@retry_on_deadlock
def cancel_order(*, order_id: int, owner_id: int | None = None) -> Order:
    """Cancel an unpaid order (by its owner or an admin): 0 → 2, credit and coupon back exactly
    once. Raises OrderNotCancellable (409) when the order is not unpaid any more. With `owner_id`
    (the customer's own cancel), an order that is not that user's visible order is OrderNotFound
    (404, as every lookup of a customer's order answers): the owner's row is locked first and the
    order read once, under its lock."""
    with transaction.atomic():
        if owner_id is None:
            moved = _leave_unpaid([order_id], Order.Status.CANCELLED)
        else:
            lock_users([owner_id])
            moved = _move_locked(UNPAID_OWNED_LOCKED.rows(order_id=order_id, owner_id=owner_id), Order.Status.CANCELLED)
        metrics.after_commit(metrics.ORDERS_CANCELLED, len(moved))
    if not moved:
        if owner_id is not None and not user_order_exists(user_id=owner_id, order_id=order_id):
            raise OrderNotFound()
        raise OrderNotCancellable()
    logger.info("order %s cancelled", moved[0].order_number)
    return moved[0]


@retry_on_deadlock
def cancel_orders(*, order_ids) -> int:
    """Cancel the unpaid ones among `order_ids` (the admin's bulk action); answers how many."""
    with transaction.atomic():
        moved = _leave_unpaid(order_ids, Order.Status.CANCELLED)
        metrics.after_commit(metrics.ORDERS_CANCELLED, len(moved))
    return len(moved)


# --- before timing out: ask the payment channel -------------------------------------------------
# Orders sit below payments (payments imports orders, never the reverse): payments listens to
# `hooks.before_timeout` and asks Alipay about orders whose pay link went out, paying those Alipay
# says are paid, so that a lost notify does not turn a paid order into a time-out.


def _run_before_timeout_hooks(order_ids, cutoff: datetime) -> None:
    if not before_timeout.has_listeners:
        return
    candidates = Order.objects.filter(
        pk__in=list(order_ids), order_status=Order.Status.UNPAID, created_time__lte=cutoff
    ).only("id", "user_id", "order_number", "real_price", "pay_type", "order_status")
    # asking is best effort: a failing listener is logged, the time-out goes ahead
    before_timeout.send(candidates=candidates)


def expire_orders(*, order_ids, by: str = "countdown") -> int:
    """Time out the unpaid ones among `order_ids` that are older than ORDER_TIMEOUT: 0 → 3,
    everything given back. The countdown task and the beat sweep both come here (`by` says which,
    for the metrics); either may run first or twice. Answers how many this call timed out.
    First, outside the transaction, the before-timeout hooks may pay some (a trade query); a
    deadlock retry redoes only the time-out, never asks again."""
    cutoff = timezone.now() - timedelta(seconds=settings.ORDER_TIMEOUT)
    _run_before_timeout_hooks(order_ids, cutoff)
    return _time_out(order_ids, cutoff, by)


@retry_on_deadlock
def _time_out(order_ids, cutoff: datetime, by: str) -> int:
    with transaction.atomic():
        moved = _leave_unpaid(order_ids, Order.Status.TIMEOUT, created_before=cutoff)
        metrics.after_commit(metrics.ORDERS_TIMED_OUT.labels(by), len(moved))
    for order in moved:
        logger.info("order %s timed out", order.order_number)
    return len(moved)


def expire_overdue_orders(*, batch_size: int = 500) -> int:
    """Time out every unpaid order older than ORDER_TIMEOUT, a batch per transaction (the beat
    sweep: it catches orders whose countdown task was lost). Answers how many."""
    metrics.SWEEP_RUNS.inc()
    total = 0
    while True:
        cutoff = timezone.now() - timedelta(seconds=settings.ORDER_TIMEOUT)
        batch = list(
            Order.objects.filter(order_status=Order.Status.UNPAID, created_time__lte=cutoff)
            .order_by("created_time", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return total
        # candidates taken by someone else meanwhile are no longer unpaid: the next query skips them
        swept = expire_orders(order_ids=batch, by="sweep")
        metrics.after_commit(metrics.ORDERS_SWEPT, swept)
        total += swept


# --- pay ------------------------------------------------------------------------------------


@retry_on_deadlock
def pay_order(*, order_id: int, trade_no: str, paid_at: datetime | None = None) -> PayResult:
    """0 → 1 exactly once: pay time and trade number recorded, the coupon marked used, the courses
    granted. A replay answers ALREADY_PAID, an order that left 0 first answers CLOSED; neither
    changes anything."""
    paid_at = paid_at or timezone.now()
    with transaction.atomic():
        user_id = Order.objects.filter(pk=order_id).values_list("user_id", flat=True).first()
        if user_id is None:
            raise OrderNotFound()
        lock_users([user_id])
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.order_status != Order.Status.UNPAID:
            # a refunded order was paid (by its first trade): a replay of that trade is ALREADY_PAID
            paid_once = order.order_status in (Order.Status.PAID, Order.Status.REFUNDED)
            return PayResult.ALREADY_PAID if paid_once else PayResult.CLOSED
        Order.objects.filter(pk=order_id, order_status=Order.Status.UNPAID).update(
            order_status=Order.Status.PAID, pay_time=paid_at, trade_no=trade_no, updated_time=timezone.now()
        )
        mark_coupon_used(order_id=order_id)
        grant_courses(user_id=user_id, course_ids=order.order_courses.values_list("course_id", flat=True))
        metrics.after_commit(metrics.ORDERS_PAID)
    logger.info("order %s paid (trade %s)", order.order_number, trade_no)
    return PayResult.PAID


# --- refund (1 → 4) -------------------------------------------------------------------------


def refund_order(*, order_id: int) -> bool:
    """1 → 4 exactly once, for a refund whose money has gone back (apps/payments/refunds.py calls
    it inside the transaction that records the refund): the bought courses taken back and the
    credit the order used given back, with a ledger line. The coupon is not given back (SPEC §9.3).
    Answers False, changing nothing, when the order is not paid (refunded already, by a racing
    call). Locks the user, then the order, as every transition does; must run in a transaction."""
    user_id = Order.objects.filter(pk=order_id).values_list("user_id", flat=True).first()
    if user_id is None:
        raise OrderNotFound()
    lock_users([user_id])
    order = Order.objects.select_for_update().only("id", "credit", "order_number", "order_status").get(pk=order_id)
    if order.order_status != Order.Status.PAID:
        return False
    updated = Order.objects.filter(pk=order_id, order_status=Order.Status.PAID).update(
        order_status=Order.Status.REFUNDED, updated_time=timezone.now()
    )
    if updated != 1:  # cannot happen under the lock; never give back what did not move
        return False
    revoke_courses(user_id=user_id, course_ids=order.order_courses.values_list("course_id", flat=True))
    give_credit(user_id=user_id, amount=order.credit, remark=f"订单 {order.order_number} 已退款，退还积分")
    logger.info("order %s refunded", order.order_number)
    return True


# --- after the end: delete, recover ---------------------------------------------------------

ENDED = (Order.Status.CANCELLED, Order.Status.TIMEOUT)


def delete_order(*, order_id: int) -> None:
    """Hide a cancelled or timed-out order from its owner for good (soft delete)."""
    with transaction.atomic():
        owner = Order.objects.filter(pk=order_id).values_list("user_id", flat=True).first()
        hidden = Order.objects.filter(pk=order_id, order_status__in=ENDED, is_deleted=False).update(
            is_deleted=True, updated_time=timezone.now()
        )
        if not hidden:
            raise OrderNotDeletable()
        listing_changed(user_ids=[owner])


def listing_changed(*, user_ids, at_once: bool = True) -> None:
    """The users' visible orders changed (an order made, deleted, hidden or shown; the models'
    signals call it for every save, apps.py): "my orders" counts them again (selectors.OrderRows
    .count) once this transaction commits, so that a count taken meanwhile from the data before
    the commit is dropped, and, `at_once`, from now on too, so that this transaction reads its
    own change (a new order's transaction lists nothing: it skips that round trip)."""
    user_ids = list(user_ids)
    if at_once:
        redis_store.new_listing_tokens(user_ids)
    transaction.on_commit(lambda: redis_store.new_listing_tokens(user_ids), robust=True)


def recover_order(*, order: Order) -> dict:
    """Put a cancelled or timed-out order's courses back into the cart, selected, at today's
    prices, so the user can order again; courses since unpublished or owned are skipped."""
    if order.order_status not in ENDED:
        raise OrderNotRecoverable()
    return add_courses(user_id=order.user_id, course_ids=order.order_courses.values_list("course_id", flat=True))
