"""Reconciliation with Alipay (SPEC §9.4).

- Before the time-out gives back an order whose pay link went out, `pay_before_timeout` (listening
  to apps/orders' `before_timeout` from PaymentsConfig.ready) asks Alipay about its trade and pays the order through
  the same `settle_trade` as a notify when Alipay says it is paid. It runs outside the time-out's
  transaction (no row lock is held while Alipay is asked), each call bounded by ALIPAY_TIMEOUT; once
  Alipay is unreachable the rest of the batch is not asked (the sweep stays fast) and times out as
  before — a notify arriving later is then recorded REFUND_REQUIRED.
- `reconcile_day` (the daily beat task) compares one day's payments, hand-marked refunds, top-ups
  and issued links with Alipay's trade queries, and its refunds (退款中, 已退款, 退款失败) with
  alipay.trade.fastpay.refund.query by (out_trade_no, out_request_no), and records each mismatch (Mismatch, read-only in
  the admin), with an error log line and the fsapi_reconciliation_mismatches metric. A paid trade we
  have no record of is settled on the spot (an order's as PAID or REFUND_REQUIRED, a top-up
  credited) and recorded as PAID_NOT_RECORDED.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.orders.models import Order
from apps.payments import exceptions, recharges
from apps.payments.gateway import GatewayError, GatewayUnavailable, RefundAnswer, Trade
from apps.payments.models import Mismatch, PayLink, Payment, Recharge, Refund
from extension import metrics

logger = logging.getLogger("fsapi.payments")


# --- before a time-out ----------------------------------------------------------------------


def pay_before_timeout(*, candidates) -> int:
    """Ask Alipay about the Alipay orders among `candidates` (a queryset of overdue unpaid orders)
    whose pay link went out; pay those it reports paid (amount and trade checked as for a notify).
    One query for the batch picks the orders to ask (a semi-join on PayLink: usually none, and no
    row is read for the others); each is then asked and settled on its own, with no transaction
    or row lock held while Alipay answers. Answers how many were paid."""
    from apps.payments.services import gateway, settle_queried_trade

    issued = list(
        candidates.filter(
            pay_type=Order.PayType.ALIPAY,
            real_price__gt=0,
            order_number__in=PayLink.objects.values("out_trade_no"),
        ).order_by("order_number")
    )
    if not issued:
        return 0
    try:
        alipay = gateway()
    except exceptions.PaymentNotConfigured:
        return 0
    paid = 0
    for order in issued:
        number = order.order_number
        try:
            trade = alipay.query_trade(number)
        except GatewayUnavailable as exc:
            logger.warning("before time-out: Alipay unreachable (%s); the batch times out unasked", exc)
            metrics.RECONCILE_QUERIES.labels("unreachable").inc()
            return paid
        except GatewayError as exc:
            logger.warning("before time-out: trade query for %s failed: %s", number, exc)
            metrics.RECONCILE_QUERIES.labels("failed").inc()
            continue
        if not trade.is_paid:
            metrics.RECONCILE_QUERIES.labels("unpaid").inc()
            continue
        if not settle_queried_trade(order=order, trade=trade):
            metrics.RECONCILE_QUERIES.labels("failed").inc()
            continue
        metrics.RECONCILE_QUERIES.labels("paid").inc()
        logger.warning("order %s was paid at Alipay but not notified: paid instead of timed out", number)
        paid += 1
    return paid


# --- the daily reconciliation ---------------------------------------------------------------


@dataclass
class ReconcileReport:
    day: date
    checked: int = 0
    mismatches: list = field(default_factory=list)
    unchecked: list = field(default_factory=list)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _record(
    report: ReconcileReport,
    kind: str,
    out_trade_no: str,
    *,
    out_request_no="",
    trade_no="",
    ours="",
    alipay=None,
    detail="",
):
    try:
        with transaction.atomic():
            _, created = Mismatch.objects.get_or_create(
                day=report.day,
                kind=kind,
                out_trade_no=out_trade_no,
                out_request_no=out_request_no,
                defaults={"trade_no": trade_no, "ours": ours[:255], "alipay": alipay or {}, "detail": detail[:255]},
            )
    except IntegrityError:  # a concurrent run recorded it
        created = False
    report.mismatches.append((kind, out_trade_no, out_request_no) if out_request_no else (kind, out_trade_no))
    if created:
        metrics.RECONCILE_MISMATCHES.labels(kind).inc()
        answer = alipay or {}
        logger.error(
            "RECONCILIATION MISMATCH %s %s: %s%s (ours: %s; Alipay: %s)",
            report.day,
            kind,
            out_trade_no,
            f" refund {out_request_no}" if out_request_no else "",
            ours,
            answer.get("trade_status", answer.get("refund_status", answer.get("sub_code", ""))),
        )


def _query(alipay, report: ReconcileReport, out_trade_no: str) -> Trade | None:
    try:
        trade = alipay.query_trade(out_trade_no)
    except GatewayError as exc:
        logger.warning("reconciliation: trade query for %s failed: %s", out_trade_no, exc)
        report.unchecked.append((out_trade_no, ""))
        return None
    report.checked += 1
    return trade


# --- refunds: alipay.trade.fastpay.refund.query ------------------------------------------------

REFUND_CHECKED = (Refund.Status.REFUNDING, Refund.Status.REFUNDED, Refund.Status.FAILED)


def _refunds_of_the_day(start: datetime, end: datetime):
    """The Alipay refunds created or last changed that day that may have reached Alipay: 退款中,
    已退款 and 退款失败 (待审核 and 已拒绝 were never sent; a balance refund never goes to Alipay).
    A refund that changes on several days is compared on each of them, always on its last."""
    day = Q(created_time__gte=start, created_time__lt=end) | Q(updated_time__gte=start, updated_time__lt=end)
    return (
        Refund.objects.filter(day, channel=Refund.Channel.ALIPAY, status__in=REFUND_CHECKED, amount__gt=0)
        .exclude(payment=None)
        .select_related("payment")
        .order_by("pk")
    )


def _refund_disagreement(refund: Refund, answer: RefundAnswer) -> tuple[str, str] | None:
    """(mismatch kind, detail) when our refund and Alipay's answer about its out_request_no
    disagree, else None. Alipay refunded is 已退款 for us with the same amount; Alipay knowing no
    (successful) refund is 退款中 (not sent yet, or sent and not done) or 退款失败 for us."""
    if not answer.refunded:
        if refund.status == Refund.Status.REFUNDED:
            return Mismatch.Kind.REFUND_MISSING_AT_ALIPAY, "本地已退款，支付宝查无此退款：请在支付宝核实"
        return None
    if refund.status != Refund.Status.REFUNDED:
        detail = f"支付宝已退款 {answer.amount}，本地为{refund.get_status_display()}：后台重试即补记，不会重复退款"
        return Mismatch.Kind.REFUND_NOT_RECORDED, detail
    if answer.amount != refund.amount:
        return Mismatch.Kind.REFUND_AMOUNT_DIFFERS, f"支付宝退款金额 {answer.amount}，本地 {refund.amount}"
    return None


def _reconcile_refunds(alipay, report: ReconcileReport, start: datetime, end: datetime) -> None:
    """Ask Alipay about each refund of the day by (out_trade_no, out_request_no) and record
    where it disagrees. A refund finished by a worker while Alipay was being asked is read again
    before anything is recorded (no false alarm for a refund in flight)."""
    for refund in _refunds_of_the_day(start, end):
        payment = refund.payment
        try:
            answer = alipay.refund_query(
                out_trade_no=payment.out_trade_no, trade_no=payment.trade_no, out_request_no=refund.out_request_no
            )
        except GatewayError as exc:
            logger.warning("reconciliation: refund query for %s failed: %s", refund.out_request_no, exc)
            report.unchecked.append((payment.out_trade_no, refund.out_request_no))
            continue
        report.checked += 1
        if _refund_disagreement(refund, answer) is None:
            continue
        refund.refresh_from_db(fields=["status", "amount"])
        disagreement = _refund_disagreement(refund, answer)
        if disagreement is None:
            continue
        kind, detail = disagreement
        _record(
            report,
            kind,
            payment.out_trade_no,
            out_request_no=refund.out_request_no,
            trade_no=payment.trade_no,
            ours=f"refund {refund.pk} {refund.get_kind_display()} {refund.get_status_display()} {refund.amount}",
            alipay=answer.raw,
            detail=detail,
        )


def _closed_by_a_refund(payment: Payment, trade: Trade) -> bool:
    """Alipay closes a trade once it is refunded in full: a closed trade of ours whose refund was
    sent is the refund check's business, not a payment Alipay never had."""
    return (
        trade.status == "TRADE_CLOSED"
        and trade.trade_no == payment.trade_no
        and Refund.objects.filter(payment=payment, status__in=REFUND_CHECKED).exists()
    )


def _payment_disagreement(payment: Payment, trade: Trade) -> tuple[str, str] | None:
    """(mismatch kind, detail) when our Alipay payment and Alipay's trade disagree, else None
    (the same shape as `_refund_disagreement`). A payment marked refunded must not be paid at
    Alipay any more; any other must be paid there, with the same trade and amount."""
    if payment.status == Payment.Status.REFUNDED:
        if trade.is_paid and trade.trade_no == payment.trade_no:
            return Mismatch.Kind.REFUND_NOT_AT_ALIPAY, "标记为已退款，但支付宝交易仍为已支付：请在支付宝核实退款"
        return None
    if not trade.is_paid:
        if _closed_by_a_refund(payment, trade):
            return None  # refunded at Alipay: the refund check compares the refund
        return Mismatch.Kind.PAYMENT_NOT_AT_ALIPAY, "本地有支付记录，支付宝未显示已支付：核实是否伪造通知"
    if trade.trade_no != payment.trade_no or trade.total_amount != payment.amount:
        return Mismatch.Kind.PAYMENT_DIFFERS, f"支付宝：{trade.trade_no} {trade.total_amount}"
    return None


def _paid_recharge_disagreement(recharge: Recharge, trade: Trade) -> tuple[str, str] | None:
    """(mismatch kind, detail) when a credited top-up and Alipay's trade disagree, else None."""
    if not trade.is_paid:
        return Mismatch.Kind.RECHARGE_NOT_AT_ALIPAY, "充值已到账，支付宝未显示已支付：核实是否伪造通知"
    if trade.trade_no != recharge.trade_no or trade.total_amount != recharge.amount:
        return Mismatch.Kind.RECHARGE_DIFFERS, f"支付宝：{trade.trade_no} {trade.total_amount}"
    return None


def reconcile_day(day: date | None = None, *, record_unchecked: bool = True) -> ReconcileReport:
    """Compare `day` (Asia/Shanghai; default yesterday) with Alipay. Safe to run again: each
    mismatch is recorded once per day, and settling is exactly-once. Trades Alipay could not be
    asked about are recorded as UNCHECKED only when `record_unchecked` (the task's last try)."""
    from apps.payments.services import gateway, settle_queried_trade

    day = day or (timezone.localdate() - timedelta(days=1))
    start, end = _day_bounds(day)
    report = ReconcileReport(day=day)
    alipay = gateway()

    # payments recorded that day: Alipay must say paid, same trade and amount
    for payment in Payment.objects.filter(
        channel=Payment.Channel.ALIPAY, created_time__gte=start, created_time__lt=end
    ):
        trade = _query(alipay, report, payment.out_trade_no)
        if trade is None:
            continue
        disagreement = _payment_disagreement(payment, trade)
        if disagreement is not None:
            kind, detail = disagreement
            _record(
                report,
                kind,
                payment.out_trade_no,
                trade_no=payment.trade_no,
                ours=f"payment {payment.pk} {payment.get_status_display()} {payment.amount} {payment.trade_no}",
                alipay=trade.raw,
                detail=detail,
            )

    # top-ups created that day
    for recharge in Recharge.objects.filter(created_time__gte=start, created_time__lt=end):
        trade = _query(alipay, report, recharge.recharge_number)
        if trade is None:
            continue
        ours = f"top-up {recharge.get_status_display()} {recharge.amount} {recharge.trade_no or ''}"
        if recharge.status == Recharge.Status.PAID:
            disagreement = _paid_recharge_disagreement(recharge, trade)
            if disagreement is not None:
                kind, detail = disagreement
                _record(
                    report,
                    kind,
                    recharge.recharge_number,
                    trade_no=recharge.trade_no or "",
                    ours=ours,
                    alipay=trade.raw,
                    detail=detail,
                )
        elif trade.is_paid:
            if trade.total_amount == recharge.amount and trade.trade_no:
                try:
                    recharges.settle_recharge(
                        recharge=recharge,
                        trade_no=trade.trade_no,
                        amount=trade.total_amount,
                        paid_at=trade.paid_at,
                        raw=trade.raw,
                        source=Payment.Source.QUERY,
                    )
                except exceptions.NotifyRefused:
                    pass
            _record(
                report,
                Mismatch.Kind.PAID_NOT_RECORDED,
                recharge.recharge_number,
                trade_no=trade.trade_no,
                ours=ours,
                alipay=trade.raw,
                detail="支付宝已收款但未收到通知：已按查询结果入账",
            )

    # orders whose link went out that day and that have no payment: Alipay must not hold money
    paid_numbers = set(
        Payment.objects.filter(created_time__gte=start - timedelta(days=1)).values_list("out_trade_no", flat=True)
    )
    links = PayLink.objects.filter(created_time__gte=start, created_time__lt=end).exclude(
        out_trade_no__startswith=recharges.RECHARGE_PREFIX
    )
    for number in links.values_list("out_trade_no", flat=True):
        if number in paid_numbers or Payment.objects.filter(out_trade_no=number).exists():
            continue
        trade = _query(alipay, report, number)
        if trade is None or not trade.is_paid:
            continue
        order = Order.objects.filter(order_number=number).first()
        if order is not None:
            settle_queried_trade(order=order, trade=trade)
        _record(
            report,
            Mismatch.Kind.PAID_NOT_RECORDED,
            number,
            trade_no=trade.trade_no,
            ours="no payment recorded",
            alipay=trade.raw,
            detail="支付宝已收款但未收到通知：已补记支付（订单已关闭时为待退款）",
        )

    # refunds that may have reached Alipay that day: Alipay must hold exactly those refunded
    _reconcile_refunds(alipay, report, start, end)

    for number, out_request_no in report.unchecked if record_unchecked else ():
        _record(
            report,
            Mismatch.Kind.UNCHECKED,
            number,
            out_request_no=out_request_no,
            ours=f"refund {out_request_no}" if out_request_no else "",
            detail="对账时无法查询支付宝，稍后重试",
        )
    logger.info(
        "reconciliation of %s: %s trades checked, %s mismatches, %s unchecked",
        day,
        report.checked,
        len(report.mismatches),
        len(report.unchecked),
    )
    return report
