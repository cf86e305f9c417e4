"""Reconciliation with Alipay (SPEC §9.4).

- Before the time-out gives back an order whose pay link went out, `pay_before_timeout` (listening
  to apps/orders' `before_timeout` from PaymentsConfig.ready) asks Alipay about its trade and pays the order through
  the same `settle_trade` as a notify when Alipay says it is paid. It runs outside the time-out's
  transaction (no row lock is held while Alipay is asked), each call bounded by ALIPAY_TIMEOUT; once
  Alipay is unreachable the rest of the batch is not asked (the sweep stays fast) and times out as
  before — a notify arriving later is then recorded REFUND_REQUIRED.
- `reconcile_day` (the daily beat task) compares one day's payments, hand-marked refunds, top-ups
  and issued links with Alipay's trade queries and records each mismatch (Mismatch, read-only in
  the admin), with an error log line and the fsapi_reconciliation_mismatches metric. A paid trade we
  have no record of is settled on the spot (an order's as PAID or REFUND_REQUIRED, a top-up
  credited) and recorded as PAID_NOT_RECORDED.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.orders.models import Order
from apps.payments import exceptions, recharges
from apps.payments.gateway import GatewayError, GatewayUnavailable, Trade
from apps.payments.models import Mismatch, PayLink, Payment, Recharge
from extension import metrics

logger = logging.getLogger("fsapi.payments")


# --- before a time-out ----------------------------------------------------------------------


def pay_before_timeout(*, orders) -> int:
    """Ask Alipay about the Alipay orders among `orders` whose pay link went out; pay those it
    reports paid (amount and trade checked as for a notify). Answers how many were paid."""
    from apps.payments.services import gateway, settle_queried_trade

    alipay_orders = {o.order_number: o for o in orders if o.pay_type == Order.PayType.ALIPAY and o.real_price > 0}
    if not alipay_orders:
        return 0
    issued = PayLink.objects.filter(out_trade_no__in=list(alipay_orders)).values_list("out_trade_no", flat=True)
    issued = sorted(issued)
    if not issued:
        return 0
    try:
        alipay = gateway()
    except exceptions.PaymentNotConfigured:
        return 0
    paid = 0
    for number in issued:
        order = alipay_orders[number]
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


def _record(report: ReconcileReport, kind: str, out_trade_no: str, *, trade_no="", ours="", alipay=None, detail=""):
    try:
        with transaction.atomic():
            _, created = Mismatch.objects.get_or_create(
                day=report.day,
                kind=kind,
                out_trade_no=out_trade_no,
                defaults={"trade_no": trade_no, "ours": ours[:255], "alipay": alipay or {}, "detail": detail[:255]},
            )
    except IntegrityError:  # a concurrent run recorded it
        created = False
    report.mismatches.append((kind, out_trade_no))
    if created:
        metrics.RECONCILE_MISMATCHES.labels(kind).inc()
        logger.error(
            "RECONCILIATION MISMATCH %s %s: %s (ours: %s; Alipay: %s)",
            report.day,
            kind,
            out_trade_no,
            ours,
            (alipay or {}).get("trade_status", (alipay or {}).get("sub_code", "")),
        )


def _query(alipay, report: ReconcileReport, out_trade_no: str) -> Trade | None:
    try:
        trade = alipay.query_trade(out_trade_no)
    except GatewayError as exc:
        logger.warning("reconciliation: trade query for %s failed: %s", out_trade_no, exc)
        report.unchecked.append(out_trade_no)
        return None
    report.checked += 1
    return trade


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
        ours = f"payment {payment.pk} {payment.get_status_display()} {payment.amount} {payment.trade_no}"
        if payment.status == Payment.Status.REFUNDED:
            if trade.is_paid and trade.trade_no == payment.trade_no:
                _record(
                    report,
                    Mismatch.Kind.REFUND_NOT_AT_ALIPAY,
                    payment.out_trade_no,
                    trade_no=payment.trade_no,
                    ours=ours,
                    alipay=trade.raw,
                    detail="标记为已退款，但支付宝交易仍为已支付：请在支付宝核实退款",
                )
            continue
        if not trade.is_paid:
            _record(
                report,
                Mismatch.Kind.PAYMENT_NOT_AT_ALIPAY,
                payment.out_trade_no,
                trade_no=payment.trade_no,
                ours=ours,
                alipay=trade.raw,
                detail="本地有支付记录，支付宝未显示已支付：核实是否伪造通知",
            )
        elif trade.trade_no != payment.trade_no or trade.total_amount != payment.amount:
            _record(
                report,
                Mismatch.Kind.PAYMENT_DIFFERS,
                payment.out_trade_no,
                trade_no=payment.trade_no,
                ours=ours,
                alipay=trade.raw,
                detail=f"支付宝：{trade.trade_no} {trade.total_amount}",
            )

    # top-ups created that day
    for recharge in Recharge.objects.filter(created_time__gte=start, created_time__lt=end):
        trade = _query(alipay, report, recharge.recharge_number)
        if trade is None:
            continue
        ours = f"top-up {recharge.get_status_display()} {recharge.amount} {recharge.trade_no or ''}"
        if recharge.status == Recharge.Status.PAID:
            if not trade.is_paid:
                _record(
                    report,
                    Mismatch.Kind.RECHARGE_NOT_AT_ALIPAY,
                    recharge.recharge_number,
                    trade_no=recharge.trade_no or "",
                    ours=ours,
                    alipay=trade.raw,
                    detail="充值已到账，支付宝未显示已支付：核实是否伪造通知",
                )
            elif trade.trade_no != recharge.trade_no or trade.total_amount != recharge.amount:
                _record(
                    report,
                    Mismatch.Kind.RECHARGE_DIFFERS,
                    recharge.recharge_number,
                    trade_no=recharge.trade_no or "",
                    ours=ours,
                    alipay=trade.raw,
                    detail=f"支付宝：{trade.trade_no} {trade.total_amount}",
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

    for number in report.unchecked if record_unchecked else ():
        _record(report, Mismatch.Kind.UNCHECKED, number, ours="", detail="对账时无法查询支付宝，稍后重试")
    logger.info(
        "reconciliation of %s: %s trades checked, %s mismatches, %s unchecked",
        day,
        report.checked,
        len(report.mismatches),
        len(report.unchecked),
    )
    return report
