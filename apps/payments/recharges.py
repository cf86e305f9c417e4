"""Top-ups of the balance (余额充值) through Alipay page pay (SPEC §9.2).

A Recharge gets its own number space: "R" + YYYYMMDD + 16 random digits, which an order number
(24 digits) never matches, so the one notify endpoint dispatches by out_trade_no. Its notify is
checked as an order's (signature, app id, seller id, amount, trade ownership) by
`services.handle_notify`, then `settle_recharge` credits the balance exactly once through
`users.services.change_money(RECHARGE)`: the user's row lock, then the recharge's, and a guarded
UPDATE … WHERE status = UNPAID whose row count decides who credits.

A top-up paid after its link expired is still credited: the money reached us and the customer
asked for a top-up, so crediting it is the refund-free way of never losing it (Alipay refuses
payment after `time_expire` anyway; a late one can only be a notify delayed in transit).
"""

import logging
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.payments import exceptions
from apps.payments.models import PayLink, Payment, Recharge
from apps.users.models import MoneyLog, User
from apps.users.services import change_money
from extension.db import retry_on_deadlock
from extension.money import to_money

logger = logging.getLogger("fsapi.payments")

RECHARGE_PREFIX = "R"
RECHARGE_SUBJECT = "飞升在线教育余额充值"


def is_recharge_number(out_trade_no: str) -> bool:
    return bool(out_trade_no) and out_trade_no.startswith(RECHARGE_PREFIX)


def new_recharge_number() -> str:
    """R + the Shanghai date + 16 random digits (unguessable, unlike a counter)."""
    return f"{RECHARGE_PREFIX}{timezone.localdate():%Y%m%d}{secrets.randbelow(10**16):016d}"


def create_recharge(*, user: User, amount: Decimal, gateway) -> tuple[Recharge, str]:
    """A new unpaid top-up of `amount` yuan and its Alipay page-pay link (valid RECHARGE_TIMEOUT
    seconds). The link is remembered (PayLink) for the daily reconciliation."""
    amount = to_money(amount)
    expire_at = timezone.now() + timedelta(seconds=settings.RECHARGE_TIMEOUT)
    recharge = Recharge.objects.create(
        user=user, recharge_number=new_recharge_number(), amount=amount, expire_at=expire_at
    )
    link = gateway.page_pay_url(
        out_trade_no=recharge.recharge_number, total_amount=amount, subject=RECHARGE_SUBJECT, time_expire=expire_at
    )
    PayLink.objects.bulk_create([PayLink(out_trade_no=recharge.recharge_number)], ignore_conflicts=True)
    logger.info("recharge %s of %s created for user %s", recharge.recharge_number, amount, user.pk)
    return recharge, link


def get_recharge(recharge_number: str) -> Recharge | None:
    if not is_recharge_number(recharge_number) or len(recharge_number) > 32:
        return None
    return Recharge.objects.filter(recharge_number=recharge_number).first()


def refuse_trade_of_an_order(*, recharge: Recharge, trade_no: str) -> None:
    """A trade recorded as an order's payment never credits a top-up."""
    if Payment.objects.filter(channel=Payment.Channel.ALIPAY, trade_no=trade_no).exists():
        logger.error("notify refused: Alipay trade %s is an order's, not top-up %s", trade_no, recharge.recharge_number)
        raise exceptions.TradeOfAnotherOrder()


def check_amount(recharge: Recharge, amount: Decimal | None) -> None:
    if amount is None or amount != recharge.amount:
        logger.warning(
            "notify for top-up %s refused: amount %r, wants %s", recharge.recharge_number, amount, recharge.amount
        )
        raise exceptions.WrongAmount()


@retry_on_deadlock
def settle_recharge(
    *, recharge: Recharge, trade_no: str, amount: Decimal, paid_at: datetime | None, raw: dict, source: str
) -> str:
    """Credit the top-up once for a trade Alipay reports paid. Answers `paid` (this call credited
    it) or `already_paid` (a replay, a poll or the reconciliation came first: nothing changes).
    The same top-up reported paid by a different trade raises RechargeTradeMismatch."""
    refuse_trade_of_an_order(recharge=recharge, trade_no=trade_no)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=recharge.user_id).values_list("pk", flat=True).get()
        current = Recharge.objects.select_for_update().get(pk=recharge.pk)
        if current.status == Recharge.Status.PAID:
            if current.trade_no != trade_no:
                logger.error(
                    "top-up %s paid by trade %s, notified again with trade %s",
                    current.recharge_number,
                    current.trade_no,
                    trade_no,
                )
                raise exceptions.RechargeTradeMismatch()
            return "already_paid"
        updated = Recharge.objects.filter(pk=recharge.pk, status=Recharge.Status.UNPAID).update(
            status=Recharge.Status.PAID,
            trade_no=trade_no,
            source=source,
            paid_at=paid_at or timezone.now(),
            raw=raw,
            updated_time=timezone.now(),
        )
        if updated != 1:  # cannot happen under the lock; never credit what did not move
            raise exceptions.RechargeTradeMismatch()
        change_money(
            user_id=recharge.user_id,
            amount=recharge.amount,
            operation=MoneyLog.Operation.RECHARGE,
            remark=f"充值 {recharge.recharge_number}",
        )
    if current.expire_at <= timezone.now():
        logger.warning("top-up %s paid after its link expired: credited all the same", recharge.recharge_number)
    logger.info("top-up %s credited %s (trade %s)", recharge.recharge_number, recharge.amount, trade_no)
    return "paid"
