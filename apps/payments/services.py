"""Alipay payments: the page-pay link, the notify, polling, and closing the trades of orders that
left "unpaid".

The order's transitions belong to apps/orders/services.py: this module checks what Alipay says,
calls `pay_order`, and keeps one Payment row per trade Alipay reports paid — including payments
that arrive after the order was cancelled or timed out, which are flagged for refund, never dropped.
"""

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.orders.models import Order
from apps.orders.selectors import get_order_by_number
from apps.orders.services import PayResult, pay_order
from apps.payments import exceptions, recharges, redis_store
from apps.payments.channel import get_gateway
from apps.payments.gateway import AlipayGateway, CloseResult, GatewayError, GatewayUnavailable, Notify
from apps.payments.models import PayLink, Payment, Recharge, Refund
from extension import metrics
from extension.db import retry_on_deadlock

logger = logging.getLogger("fsapi.payments")

SUBJECT_MAX_LENGTH = 120  # Alipay allows 256; a long list of names helps nobody on the cashier page
ALIPAY_UNREACHABLE = "暂时无法向支付宝确认支付结果，订单状态以当前记录为准，请稍后再试"
STATUS_MESSAGES = {
    Order.Status.UNPAID: "尚未收到支付结果",
    Order.Status.PAID: "支付成功",
    Order.Status.CANCELLED: "订单已取消",
    Order.Status.TIMEOUT: "订单已超时",
    Order.Status.REFUNDED: "订单已退款",
}


def gateway() -> AlipayGateway:
    try:
        return get_gateway()
    except ImproperlyConfigured as exc:
        logger.error("Alipay is not usable: %s", exc)
        raise exceptions.PaymentNotConfigured() from exc


def order_subject(order: Order) -> str:
    """The trade's subject: the course names, shortened to "first name等N门课程" when long."""
    names = [
        name.replace("&", " ").replace("=", " ").strip() for name in order.order_courses.values_list("name", flat=True)
    ]
    names = [name for name in names if name] or [f"订单{order.order_number}"]
    subject = "、".join(names)
    if len(subject) <= SUBJECT_MAX_LENGTH:
        return subject
    suffix = f"等{len(names)}门课程"
    return names[0][: SUBJECT_MAX_LENGTH - len(suffix) - 1] + suffix


def payment_deadline(order: Order) -> datetime:
    """When the order times out: Alipay is told to refuse payment from then on."""
    return order.created_time + timedelta(seconds=settings.ORDER_TIMEOUT)


def page_pay_link(order: Order) -> str:
    """The Alipay page-pay URL for an unpaid order (first payment and "pay again" alike); the trade
    expires when the order times out."""
    if order.order_status != Order.Status.UNPAID:
        raise exceptions.OrderNotPayable()
    if order.pay_type != Order.PayType.ALIPAY:
        raise exceptions.NotAlipayOrder()
    if order.real_price <= 0:
        raise exceptions.NothingToPay()
    deadline = payment_deadline(order)
    if deadline <= timezone.now():
        raise exceptions.PaymentExpired()
    link = gateway().page_pay_url(
        out_trade_no=order.order_number,
        total_amount=order.real_price,
        subject=order_subject(order),
        time_expire=deadline,
    )
    remember_link(order.order_number)
    return link


def _verified_order(params: Mapping[str, str]) -> tuple[Notify, Order]:
    """The order named by Alipay-signed parameters, after the signature and app id checks."""
    notify = gateway().read_notify(params)
    order = get_order_by_number(notify.out_trade_no)
    if order is None:
        raise exceptions.UnknownTrade()
    return notify, order


def handle_notify(params: Mapping[str, str]) -> str:
    """Act on Alipay's asynchronous notify once its signature, app id (and seller id when
    ALIPAY_SELLER_ID is set), order and amount check out;
    raise a NotifyRefused (changing nothing) otherwise. Replays and late payments are handled
    (nothing changes twice; a payment for a closed order is recorded as REFUND_REQUIRED).
    Answers the outcome (`paid`, `already_paid`, `closed`, `ignored`), counted by the metrics."""
    try:
        outcome = _handle_notify(params)
    except exceptions.NotifyRefused:
        metrics.NOTIFIES.labels("refused").inc()
        raise
    metrics.NOTIFIES.labels(outcome).inc()
    return outcome


def _handle_notify(params: Mapping[str, str]) -> str:
    params = {key: params[key] for key in params}
    if recharges.is_recharge_number(params.get("out_trade_no", "")):
        return _handle_recharge_notify(params)
    notify, order = _verified_order(params)
    if settings.ALIPAY_SELLER_ID and notify.seller_id != settings.ALIPAY_SELLER_ID:
        logger.warning("notify for %s refused: seller_id %r", order.order_number, notify.seller_id)
        raise exceptions.WrongSellerId()
    amount = notify.total_amount
    if amount is None or amount != order.real_price:
        logger.warning(
            "notify for %s refused: amount %r, order wants %s",
            order.order_number,
            params.get("total_amount"),
            order.real_price,
        )
        raise exceptions.WrongAmount()
    if not notify.is_paid:
        logger.info("notify for %s acknowledged: trade status %s", order.order_number, notify.trade_status)
        return "ignored"
    if not notify.trade_no:
        raise exceptions.MalformedNotify()
    result = settle_trade(
        order=order,
        trade_no=notify.trade_no,
        amount=amount,
        paid_at=notify.paid_at,
        raw=notify.params,
        source=Payment.Source.NOTIFY,
    )
    return result.value


def _handle_recharge_notify(params: dict) -> str:
    """A top-up's notify: the same checks as an order's, then `recharges.settle_recharge`."""
    notify = gateway().read_notify(params)
    recharge = recharges.get_recharge(notify.out_trade_no)
    if recharge is None:
        raise exceptions.UnknownTrade()
    if settings.ALIPAY_SELLER_ID and notify.seller_id != settings.ALIPAY_SELLER_ID:
        logger.warning("notify for %s refused: seller_id %r", recharge.recharge_number, notify.seller_id)
        raise exceptions.WrongSellerId()
    amount = notify.total_amount
    recharges.check_amount(recharge, amount)
    if not notify.is_paid:
        logger.info("notify for %s acknowledged: trade status %s", recharge.recharge_number, notify.trade_status)
        return "ignored"
    if not notify.trade_no:
        raise exceptions.MalformedNotify()
    return recharges.settle_recharge(
        recharge=recharge,
        trade_no=notify.trade_no,
        amount=amount,
        paid_at=notify.paid_at,
        raw=notify.params,
        source=Payment.Source.NOTIFY,
    )


def settle_queried_trade(*, order: Order, trade) -> bool:
    """Pay `order` from a trade query's answer (the poll, the check before a time-out, the daily
    reconciliation), only when Alipay reports the order's own amount and a trade number; False when
    it does not or when that trade is recorded for another order (nothing changed)."""
    if trade.total_amount != order.real_price or not trade.trade_no:
        logger.error(
            "trade query for %s: paid %s, order wants %s", order.order_number, trade.total_amount, order.real_price
        )
        return False
    try:
        settle_trade(
            order=order,
            trade_no=trade.trade_no,
            amount=trade.total_amount,
            paid_at=trade.paid_at,
            raw=trade.raw,
            source=Payment.Source.QUERY,
        )
    except exceptions.TradeOfAnotherOrder:
        return False
    return True


@retry_on_deadlock  # pay_order cannot retry inside this transaction: the whole of it is redone
def settle_trade(*, order: Order, trade_no: str, amount: Decimal, paid_at, raw: dict, source: str) -> PayResult:
    """Pay the order for a trade Alipay reports paid and record the trade, both exactly once.

    The trade is PAID when it is the one that paid the order, REFUND_REQUIRED when the order had
    left "unpaid" first or was paid by another trade. A trade already recorded for another order
    raises TradeOfAnotherOrder and changes nothing (a trade belongs to one order).
    """
    _refuse_trade_of_another_order(order=order, trade_no=trade_no)
    with transaction.atomic():
        result = pay_order(order_id=order.pk, trade_no=trade_no, paid_at=paid_at)
        if result is PayResult.ALREADY_PAID:
            order.refresh_from_db(fields=["trade_no"])
            kept = order.trade_no == trade_no
        else:
            kept = result is PayResult.PAID
        status = Payment.Status.PAID if kept else Payment.Status.REFUND_REQUIRED
        payment, created = _record_payment(
            order=order, trade_no=trade_no, amount=amount, paid_at=paid_at, raw=raw, source=source, status=status
        )
    if created and payment.status == Payment.Status.REFUND_REQUIRED:
        metrics.after_commit(metrics.REFUNDS_REQUIRED)
        _enqueue_automatic_refund(payment.pk)
        logger.warning(
            "REFUND REQUIRED: Alipay trade %s paid %s for order %s, which was %s — recorded as payment %s",
            trade_no,
            amount,
            order.order_number,
            result.value,
            payment.pk,
        )
    return result


def _enqueue_automatic_refund(payment_id: int) -> None:
    """Give the late or second payment back (apps/payments/refunds.py) once this is recorded; the
    broker being down is fine: the refund sweep finds the payment."""

    def enqueue():
        from apps.payments.tasks import refund_payment_task

        try:
            refund_payment_task.delay(payment_id)
        except Exception:
            logger.warning("could not enqueue the refund of payment %s; the sweep will", payment_id, exc_info=True)

    transaction.on_commit(enqueue)


def _refuse_trade_of_another_order(*, order: Order, trade_no: str, existing: Payment | None = None) -> None:
    """Raise TradeOfAnotherOrder (and log an error: Alipay, or someone holding its key, sent a
    trade twice) when `trade_no` is recorded for an order other than `order`."""
    if existing is None:
        existing = Payment.objects.filter(channel=Payment.Channel.ALIPAY, trade_no=trade_no).first()
    if existing is None and Recharge.objects.filter(trade_no=trade_no).exists():
        logger.error("notify refused: Alipay trade %s is a top-up's, not order %s's", trade_no, order.order_number)
        raise exceptions.TradeOfAnotherOrder()
    if existing is not None and existing.order_id != order.pk:
        logger.error(
            "notify refused: Alipay trade %s is recorded for order id %s (payment %s), not for %s",
            trade_no,
            existing.order_id,
            existing.pk,
            order.order_number,
        )
        raise exceptions.TradeOfAnotherOrder()


def _record_payment(*, order, trade_no, amount, paid_at, raw, source, status) -> tuple[Payment, bool]:
    """The trade's Payment row, created once (a concurrent replay loses on the unique index). The
    row found is always this order's: one recorded for another order (it won a race with the check
    in `settle_trade`) raises TradeOfAnotherOrder, which rolls the caller's payment back."""
    existing = Payment.objects.filter(channel=Payment.Channel.ALIPAY, trade_no=trade_no).first()
    if existing is not None:
        _refuse_trade_of_another_order(order=order, trade_no=trade_no, existing=existing)
        return existing, False
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                order=order,
                channel=Payment.Channel.ALIPAY,
                out_trade_no=order.order_number,
                trade_no=trade_no,
                amount=amount,
                status=status,
                source=source,
                paid_at=paid_at or timezone.now(),
                raw=raw,
            )
            return payment, True
    except IntegrityError:
        existing = Payment.objects.get(channel=Payment.Channel.ALIPAY, trade_no=trade_no)
        _refuse_trade_of_another_order(order=order, trade_no=trade_no, existing=existing)
        return existing, False


def read_return(params: Mapping[str, str]) -> Order | Recharge:
    """The order (or top-up) named by Alipay's synchronous return parameters, once their signature
    checks out. The return never pays: only the notify or a trade query does."""
    params = {key: params[key] for key in params}
    if recharges.is_recharge_number(params.get("out_trade_no", "")):
        gateway().read_notify(params)
        recharge = recharges.get_recharge(params["out_trade_no"])
        if recharge is None:
            raise exceptions.UnknownTrade()
        return recharge
    _, order = _verified_order(params)
    return order


def query_and_sync(order: Order) -> tuple[Order, str]:
    """The order's state and a message for the buyer. While it is unpaid, ask Alipay (trade query)
    and pay it through `pay_order` if Alipay says it is paid. Alipay unreachable changes nothing."""
    if order.order_status != Order.Status.UNPAID:
        return order, STATUS_MESSAGES[order.order_status]
    try:
        trade = gateway().query_trade(order.order_number)
    except GatewayError as exc:
        logger.warning("trade query for %s failed: %s", order.order_number, exc)
        return order, ALIPAY_UNREACHABLE
    if trade.is_paid:
        if not settle_queried_trade(order=order, trade=trade):
            return order, ALIPAY_UNREACHABLE
        order.refresh_from_db()
    return order, STATUS_MESSAGES[order.order_status]


def remember_link(order_number: str) -> None:
    """Note that a pay link went out for the order: only then can Alipay hold a trade to close (or
    paid). In Redis for closing trades, and in the database (PayLink) for the reconciliation."""
    PayLink.objects.bulk_create([PayLink(out_trade_no=order_number)], ignore_conflicts=True)
    redis_store.remember_link_issued(order_number, timeout=settings.ORDER_TIMEOUT + 3600)


def schedule_trade_close(*order_numbers: str) -> None:
    """After the caller's transaction commits, close in the background the Alipay trades of these
    orders (those a pay link went out for) so that they can no longer be paid. Best effort: never
    raises into the caller; a trade not closed still expires at Alipay at the order's time-out."""
    if order_numbers:
        transaction.on_commit(partial(_enqueue_trade_close, order_numbers))


def close_trades_of(*, order_numbers) -> None:
    """Enqueue closing the Alipay trades of these orders (those a pay link went out for), now:
    `orders_left_unpaid` calls it after the commit that moved them (PaymentsConfig.ready)."""
    _enqueue_trade_close(order_numbers)


def _enqueue_trade_close(order_numbers) -> None:
    from apps.payments.tasks import close_alipay_trade

    try:
        issued = redis_store.links_issued(order_numbers)
        for order_number in order_numbers:
            if order_number in issued:
                close_alipay_trade.delay(order_number)
    except Exception:  # Redis or the broker is down: the trade still expires at Alipay at the time-out
        logger.warning("could not enqueue closing Alipay trades %s", order_numbers, exc_info=True)


def close_trade(order_number: str) -> CloseResult | None:
    """Close the Alipay trade of an order that left "unpaid". Alipay not knowing the trade is fine;
    a refusal is logged (a payment that beat the close arrives as a notify and is flagged for
    refund); GatewayUnavailable propagates so that the task can retry."""
    try:
        result = gateway().close_trade(order_number)
    except exceptions.PaymentNotConfigured:
        return None
    except GatewayUnavailable:
        raise
    except GatewayError as exc:
        logger.warning("Alipay refused closing trade %s: %s", order_number, exc)
        return None
    logger.info("Alipay trade %s: %s", order_number, result.value)
    return result


def mark_refunded(*, payment_id: int, remark: str = "") -> None:
    """An operator refunded a REFUND_REQUIRED payment by hand; record it (once). Refused while its
    automatic refund is 退款中 or done (the money would go back twice)."""
    with transaction.atomic():
        in_flight = Refund.objects.filter(
            payment_id=payment_id, status__in=[Refund.Status.REFUNDING, Refund.Status.REFUNDED]
        )
        updated = (
            Payment.objects.filter(pk=payment_id, status=Payment.Status.REFUND_REQUIRED)
            .exclude(pk__in=in_flight.values("payment_id"))
            .update(status=Payment.Status.REFUNDED, remark=remark[:255], updated_time=timezone.now())
        )
    if not updated:
        raise exceptions.PaymentNotRefundable()
