"""Reads of payments data other apps show (the user center's 消费记录)."""

from django.db.models import CharField, F, Value

from apps.payments.models import Refund
from apps.users.selectors import RECORD_COLUMNS


def refund_records(*, user_id: int):
    """The user's refunds paid back through Alipay as rows of the 消费记录 timeline (positive:
    money that came back). Balance refunds are not here: their MoneyLog 退款 line is. Automatic
    refunds of late payments are not either: those payments never paid an order shown there. An
    unevaluated values() queryset, to be combined with the other sources."""
    return (
        Refund.objects.filter(
            order__user_id=user_id,
            kind=Refund.Kind.REQUESTED,
            channel=Refund.Channel.ALIPAY,
            status=Refund.Status.REFUNDED,
        )
        .annotate(
            r_time=F("refunded_time"),
            r_kind=Value("refund", output_field=CharField()),
            r_amount=F("amount"),
            r_channel=Value("alipay", output_field=CharField()),
            r_order_number=F("order__order_number"),
            r_remark=Value("订单退款（原路退回支付宝）", output_field=CharField()),
            r_id=F("id"),
        )
        .values(*RECORD_COLUMNS)
    )
