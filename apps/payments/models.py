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


class Refund(models.Model):
    """Money given back: a customer's request (申请退款) of a paid order, or the automatic refund of a
    REFUND_REQUIRED payment (a late or second payment). Written only by apps/payments/refunds.py.

    `out_request_no` is Alipay's idempotency key: the refund is sent under it as often as needed
    (a lost answer, a killed worker) and Alipay pays it once. `open_order` holds the order id while
    a request is open (待审核 / 退款中) and NULL after: a unique column, so a second open request of
    the same order cannot exist (MariaDB has no partial unique indexes; NULLs never clash).
    """

    class Kind(models.TextChoices):
        REQUESTED = "requested", "用户申请"
        AUTOMATIC = "automatic", "自动退款（重复/逾期支付）"

    class Channel(models.TextChoices):
        ALIPAY = "alipay", "支付宝"
        BALANCE = "balance", "余额"

    class Status(models.IntegerChoices):
        PENDING = 0, "待审核"
        REFUNDING = 1, "退款中"
        REFUNDED = 2, "已退款"
        REJECTED = 3, "已拒绝"
        FAILED = 4, "退款失败"

    OPEN = (Status.PENDING, Status.REFUNDING)

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds", verbose_name="订单")
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds", verbose_name="退款的支付"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    channel = models.CharField("退款渠道", max_length=16, choices=Channel.choices)
    amount = models.DecimalField("退款金额", max_digits=10, decimal_places=2)
    out_request_no = models.CharField("退款请求号", max_length=64, unique=True)
    status = models.SmallIntegerField("状态", choices=Status.choices)
    open_order = models.PositiveBigIntegerField("未完结申请的订单", null=True, blank=True, unique=True, editable=False)
    reason = models.CharField("退款原因", max_length=255, blank=True, default="")
    reject_reason = models.CharField("拒绝原因", max_length=255, blank=True, default="")
    approved_by = models.ForeignKey(
        "users.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="审核人"
    )
    answer = models.JSONField("支付宝应答", default=dict, blank=True)
    attempts = models.PositiveIntegerField("退款尝试次数", default=0)
    last_error = models.CharField("最近一次错误", max_length=255, blank=True, default="")
    created_time = models.DateTimeField("申请时间", auto_now_add=True)
    updated_time = models.DateTimeField("修改时间", auto_now=True)
    approved_time = models.DateTimeField("审核时间", null=True, blank=True)
    refunded_time = models.DateTimeField("退款完成时间", null=True, blank=True)

    class Meta:
        db_table = "fs_refund"
        verbose_name = verbose_name_plural = "退款记录"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="refund_amount_non_negative"),
        ]
        indexes = [models.Index(fields=["status", "updated_time"], name="refund_status_updated")]

    def __str__(self):
        return f"{self.out_request_no} {self.amount} ({self.get_status_display()})"
