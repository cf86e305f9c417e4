from django.db import models


class Payment(models.Model):
    """Money a payment channel says it received for an order: one row per channel trade.

    Written only by apps/payments/services.py. A payment for an order that had already left
    "unpaid" (cancelled or timed out first) is kept as REFUND_REQUIRED for an operator to refund.
    """

    class Channel(models.TextChoices):
        ALIPAY = "alipay", "支付宝"

    class Status(models.IntegerChoices):
        PAID = 1, "已入账"
        REFUND_REQUIRED = 2, "待退款"
        REFUNDED = 3, "已退款"

    class Source(models.TextChoices):
        NOTIFY = "notify", "异步通知"
        QUERY = "query", "主动查询"

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments", verbose_name="订单")
    channel = models.CharField("支付渠道", max_length=16, choices=Channel.choices, default=Channel.ALIPAY)
    out_trade_no = models.CharField("商户订单号", max_length=64, db_index=True)
    trade_no = models.CharField("支付平台流水号", max_length=64)
    amount = models.DecimalField("金额", max_digits=10, decimal_places=2)
    status = models.SmallIntegerField("状态", choices=Status.choices)
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    raw = models.JSONField("原始通知", default=dict, blank=True)
    remark = models.CharField("备注", max_length=255, blank=True, default="")
    created_time = models.DateTimeField("添加时间", auto_now_add=True)
    updated_time = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        db_table = "fs_payment"
        verbose_name = verbose_name_plural = "支付记录"
        ordering = ["-id"]
        constraints = [
            # a replayed notify or a poll racing the notify records the trade once
            models.UniqueConstraint(fields=["channel", "trade_no"], name="payment_unique_channel_trade"),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="payment_status")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.trade_no} ({self.get_status_display()})"
