"""Refunds (SPEC §9.3): a customer's request of a paid order, staff approving or rejecting it, and the
automatic refund of every REFUND_REQUIRED payment (late or second payment). The only writer of Refund.

A refund goes PENDING (待审核, requests only) → REFUNDING (退款中) → REFUNDED (已退款), or REJECTED /
FAILED. Every step is a guarded UPDATE on the refund's status, so however many clicks, tasks and
sweeps race, each step happens once:

- approving moves 0 → 1 (one click wins; the other gets RefundNotPending);
- sending the money is idempotent: Alipay refunds an `out_request_no` once, however often it is
  sent (after a lost answer, Alipay down, a killed worker), and a retry first asks Alipay
  (refund query) whether an earlier attempt went through; the balance channel moves money only
  inside the finishing transaction;
- finishing locks the refund row and moves it 1 → 2 in the same transaction as everything the
  refund does: the order 1 → 4 with its courses taken back and its credit given back
  (apps/orders/services.refund_order), the balance credited (users.change_money), the Payment
  marked REFUNDED. A racing finisher finds it 2 and does nothing.

Lock order: the refund row, then (through the orders service) the user, then the order.
"""

import logging
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.orders.models import Order
from apps.orders.services import refund_order
from apps.payments import exceptions
from apps.payments.gateway import GatewayRefused, GatewayUnavailable
from apps.payments.models import Payment, Refund
from apps.users.models import MoneyLog
from apps.users.services import change_money
from extension import metrics
from extension.db import retry_on_deadlock
from extension.money import ZERO

logger = logging.getLogger("fsapi.payments")


def _gateway():
    from apps.payments.services import gateway  # services imports this module's scheduler

    return gateway()


# --- the customer's request -----------------------------------------------------------------


def request_refund(*, user, order: Order, reason: str) -> Refund:
    """申请退款: the owner's paid order, within REFUND_WINDOW_DAYS of its pay time, one open request
    per order (the unique `open_order` decides a race of two requests). `order` is the caller's own
    (the view looked it up by owner)."""
    reason = (reason or "").strip()
    if not reason:
        raise exceptions.RefundReasonRequired()
    if order.order_status != Order.Status.PAID:
        raise exceptions.OrderNotRefundable()
    window = timedelta(days=settings.REFUND_WINDOW_DAYS)
    if order.pay_time is None or order.pay_time + window < timezone.now():
        raise exceptions.RefundWindowPassed(f"订单支付超过 {settings.REFUND_WINDOW_DAYS} 天，无法申请退款")
    channel, payment = _channel_of(order)
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                order=order,
                payment=payment,
                kind=Refund.Kind.REQUESTED,
                channel=channel,
                amount=order.real_price,
                out_request_no=f"RQ{order.order_number}{uuid.uuid4().hex[:8]}",
                status=Refund.Status.PENDING,
                open_order=order.pk,
                reason=reason[:255],
            )
    except IntegrityError as exc:
        raise exceptions.RefundAlreadyOpen() from exc
    metrics.REFUNDS.labels("requested").inc()
    logger.info("refund %s requested for order %s", refund.pk, order.order_number)
    return refund


def _channel_of(order: Order) -> tuple[str, Payment | None]:
    """The channel that paid the order, and for Alipay the trade that did."""
    if order.pay_type == Order.PayType.BALANCE:
        return Refund.Channel.BALANCE, None
    payment = Payment.objects.filter(order=order, trade_no=order.trade_no, status=Payment.Status.PAID).first()
    return Refund.Channel.ALIPAY, payment


def latest_refund(*, order: Order) -> Refund | None:
    """The order's latest request (申请退款), or None when it has none (an automatic refund of a
    late payment is not the customer's request)."""
    return Refund.objects.filter(order=order, kind=Refund.Kind.REQUESTED).order_by("-id").first()


# --- staff: approve, reject, retry ------------------------------------------------------------


def approve_refund(*, refund_id: int, staff) -> Refund:
    """Staff approve a pending request: 0 → 1 (one click wins, a second raises RefundNotPending),
    then the money is sent at once; Alipay unreachable leaves it 退款中 with a retry scheduled."""
    with transaction.atomic():
        updated = Refund.objects.filter(pk=refund_id, status=Refund.Status.PENDING).update(
            status=Refund.Status.REFUNDING, approved_by=staff, approved_time=timezone.now(), updated_time=timezone.now()
        )
    if not updated:
        raise exceptions.RefundNotPending()
    metrics.REFUNDS.labels("approved").inc()
    logger.info("refund %s approved by %s", refund_id, staff.get_username())
    return send_or_schedule(refund_id)


def reject_refund(*, refund_id: int, staff, reason: str) -> Refund:
    """Staff reject a pending request with a reason: 0 → 3; the order stays paid, a new request may
    follow."""
    reason = (reason or "").strip()
    if not reason:
        raise exceptions.RejectReasonRequired()
    with transaction.atomic():
        updated = Refund.objects.filter(pk=refund_id, status=Refund.Status.PENDING).update(
            status=Refund.Status.REJECTED,
            open_order=None,
            reject_reason=reason[:255],
            approved_by=staff,
            approved_time=timezone.now(),
            updated_time=timezone.now(),
        )
    if not updated:
        raise exceptions.RefundNotPending()
    metrics.REFUNDS.labels("rejected").inc()
    return Refund.objects.get(pk=refund_id)


def retry_refund(*, refund_id: int, staff) -> Refund:
    """Staff retry a failed refund (4 → 1, same out_request_no: Alipay still pays it at most once)."""
    refund = Refund.objects.select_related("payment").filter(pk=refund_id).first()
    if refund is None or refund.status != Refund.Status.FAILED:
        raise exceptions.RefundNotRetryable()
    if refund.kind == Refund.Kind.AUTOMATIC and refund.payment.status != Payment.Status.REFUND_REQUIRED:
        raise exceptions.RefundNotRetryable("该笔付款已标记为已退款，无需重试")
    open_order = refund.order_id if refund.kind == Refund.Kind.REQUESTED else None
    try:
        with transaction.atomic():
            updated = Refund.objects.filter(pk=refund_id, status=Refund.Status.FAILED).update(
                status=Refund.Status.REFUNDING, open_order=open_order, last_error="", updated_time=timezone.now()
            )
    except IntegrityError as exc:  # the customer opened a new request meanwhile
        raise exceptions.RefundAlreadyOpen() from exc
    if not updated:
        raise exceptions.RefundNotRetryable()
    logger.info("refund %s retried by %s", refund_id, staff.get_username())
    return send_or_schedule(refund_id)


# --- automatic: payments that must go back ----------------------------------------------------


def refund_required_payment(*, payment_id: int) -> Refund | None:
    """Refund a REFUND_REQUIRED payment (late or second payment) in full. The refund's
    out_request_no is derived from the payment, so two tasks racing create one Refund (the unique
    index) and send one refund to Alipay. Answers None for a payment that needs no refund."""
    payment = Payment.objects.filter(pk=payment_id, status=Payment.Status.REFUND_REQUIRED).first()
    if payment is None:
        return None
    refund, _ = _automatic_refund(payment)
    if refund.status != Refund.Status.REFUNDING:
        return refund  # done already, or failed (staff retry it)
    return execute_refund(refund_id=refund.pk)


def _automatic_refund(payment: Payment) -> tuple[Refund, bool]:
    out_request_no = f"RP{payment.pk}"
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                order_id=payment.order_id,
                payment=payment,
                kind=Refund.Kind.AUTOMATIC,
                channel=Refund.Channel.ALIPAY,
                amount=payment.amount,
                out_request_no=out_request_no,
                status=Refund.Status.REFUNDING,
                reason="订单已关闭或已由另一笔交易支付，自动退回该笔付款",
            )
            return refund, True
    except IntegrityError:
        return Refund.objects.get(out_request_no=out_request_no), False


# --- sending the money and finishing ----------------------------------------------------------


def send_or_schedule(refund_id: int) -> Refund:
    """Send the refund now; Alipay unreachable → the refund stays 退款中 and the task retries it."""
    try:
        return execute_refund(refund_id=refund_id)
    except GatewayUnavailable:
        schedule_refund(refund_id)
        return Refund.objects.get(pk=refund_id)


def schedule_refund(refund_id: int, *, countdown: int = 0) -> None:
    """Enqueue the refund task after the caller's commit (best effort: the beat sweep re-sends every
    refund left 退款中)."""

    def enqueue():
        from apps.payments.tasks import execute_refund_task

        try:
            execute_refund_task.apply_async(args=[refund_id], countdown=countdown)
        except Exception:
            logger.warning("could not enqueue refund %s; the sweep will", refund_id, exc_info=True)

    transaction.on_commit(enqueue)


def execute_refund(*, refund_id: int) -> Refund:
    """Send a 退款中 refund's money back and finish it; anything else is answered as it is.
    Raises GatewayUnavailable (nothing changed but the attempt count) for the caller to retry."""
    refund = Refund.objects.select_related("payment", "order").get(pk=refund_id)
    if refund.status != Refund.Status.REFUNDING:
        return refund
    if refund.kind == Refund.Kind.REQUESTED and refund.order.order_status != Order.Status.PAID:
        return _fail(refund_id, f"order {refund.order.order_number} is not paid (status {refund.order.order_status})")
    if refund.channel == Refund.Channel.BALANCE or refund.amount == ZERO or refund.payment is None:
        return _finish(refund_id, answer={})
    Refund.objects.filter(pk=refund_id).update(attempts=F("attempts") + 1, updated_time=timezone.now())
    trade = {
        "out_trade_no": refund.payment.out_trade_no,
        "trade_no": refund.payment.trade_no,
        "out_request_no": refund.out_request_no,
    }
    try:
        answer = None
        if refund.attempts:  # an earlier attempt may have reached Alipay: ask before sending again
            known = _gateway().refund_query(**trade)
            answer = known if known.refunded else None
        if answer is None:
            reason = refund.reason or "退款"
            answer = _gateway().refund(**trade, amount=refund.amount, reason=reason)
    except GatewayUnavailable as exc:
        Refund.objects.filter(pk=refund_id).update(last_error=str(exc)[:255], updated_time=timezone.now())
        metrics.REFUNDS.labels("unreachable").inc()
        logger.warning("refund %s: Alipay unreachable (%s), will retry", refund.out_request_no, exc)
        raise
    except GatewayRefused as exc:
        return _fail(refund_id, str(exc))
    _pause_for_tests()
    return _finish(refund_id, answer=answer.raw)


def _pause_for_tests() -> None:
    """The worker-crash test's hook (REFUND_TEST_PAUSE_FILE, set only by fsapi/test_settings from the
    environment): the gateway call is made, nothing recorded yet — the test SIGKILLs the worker here."""
    marker = getattr(settings, "REFUND_TEST_PAUSE_FILE", "")
    if marker:
        Path(marker).write_text("gateway called")
        time.sleep(3600)


@retry_on_deadlock
def _finish(refund_id: int, *, answer: dict) -> Refund:
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("order").get(pk=refund_id)
        if refund.status != Refund.Status.REFUNDING:
            return refund  # a racing attempt finished it
        order = refund.order
        if refund.kind == Refund.Kind.REQUESTED:
            moved = refund_order(order_id=order.pk)
            if not moved:  # refunded by an earlier request meanwhile: no money moves on the balance
                logger.error("refund %s: order %s was not paid any more", refund.out_request_no, order.order_number)
            if refund.channel == Refund.Channel.BALANCE and refund.amount > ZERO and moved:
                change_money(
                    user_id=order.user_id,
                    amount=refund.amount,
                    operation=MoneyLog.Operation.REFUND,
                    remark=f"订单 {order.order_number} 退款",
                )
        if refund.payment_id:
            Payment.objects.filter(
                pk=refund.payment_id, status__in=[Payment.Status.PAID, Payment.Status.REFUND_REQUIRED]
            ).update(
                status=Payment.Status.REFUNDED, remark=f"退款 {refund.out_request_no}", updated_time=timezone.now()
            )
        now = timezone.now()
        Refund.objects.filter(pk=refund_id, status=Refund.Status.REFUNDING).update(
            status=Refund.Status.REFUNDED, open_order=None, answer=answer, refunded_time=now, updated_time=now
        )
        metrics.after_commit(metrics.REFUNDS.labels("refunded"))
    logger.info("refund %s: %s refunded for order %s", refund.out_request_no, refund.amount, order.order_number)
    refund.refresh_from_db()
    return refund


def _fail(refund_id: int, error: str) -> Refund:
    """Alipay said no (not a network problem): 退款失败, for staff to look at and retry."""
    now = timezone.now()
    Refund.objects.filter(pk=refund_id, status=Refund.Status.REFUNDING).update(
        status=Refund.Status.FAILED, open_order=None, last_error=error[:255], answer={"error": error}, updated_time=now
    )
    metrics.REFUNDS.labels("failed").inc()
    logger.error("REFUND FAILED: refund %s: %s", refund_id, error)
    return Refund.objects.get(pk=refund_id)


# --- the beat sweep --------------------------------------------------------------------------


def sweep_refunds() -> int:
    """Catch what a lost task left: a REFUND_REQUIRED payment without a refund gets one, and every
    refund 退款中 untouched for REFUND_STALE_AFTER seconds is sent again (harmless if one is
    running: the same out_request_no). Answers how many refunds were enqueued."""
    from apps.payments.tasks import execute_refund_task, refund_payment_task

    enqueued = 0
    for payment_id in Payment.objects.filter(status=Payment.Status.REFUND_REQUIRED, refunds__isnull=True).values_list(
        "pk", flat=True
    )[:500]:
        refund_payment_task.delay(payment_id)
        enqueued += 1
    stale = timezone.now() - timedelta(seconds=settings.REFUND_STALE_AFTER)
    for refund_id in Refund.objects.filter(status=Refund.Status.REFUNDING, updated_time__lte=stale).values_list(
        "pk", flat=True
    )[:500]:
        execute_refund_task.delay(refund_id)
        enqueued += 1
    return enqueued
