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


class Recharge(models.Model):
    """A top-up of the balance (余额充值) paid through Alipay page pay.

    Its number (`recharge_number`, Alipay's out_trade_no) starts with RECHARGE_PREFIX, which order
    numbers (digits only) never do, so the one notify endpoint can tell them apart. Written only by
    apps/payments/recharges.py; the balance itself only by users.services.change_money.
    """

    class Status(models.IntegerChoices):
        UNPAID = 0, "待支付"
        PAID = 1, "已到账"

    user = models.ForeignKey("users.User", on_delete=models.PROTECT, related_name="recharges", verbose_name="用户")
    recharge_number = models.CharField("充值单号", max_length=32, unique=True)
    amount = models.DecimalField("金额", max_digits=10, decimal_places=2)
    status = models.SmallIntegerField("状态", choices=Status.choices, default=Status.UNPAID)
    trade_no = models.CharField("支付平台流水号", max_length=64, null=True, blank=True, unique=True)
    source = models.CharField("来源", max_length=16, choices=Payment.Source.choices, blank=True, default="")
    expire_at = models.DateTimeField("支付截止时间")
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    raw = models.JSONField("原始通知", default=dict, blank=True)
    created_time = models.DateTimeField("添加时间", auto_now_add=True, db_index=True)
    updated_time = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        db_table = "fs_recharge"
        verbose_name = verbose_name_plural = "余额充值"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.recharge_number} {self.amount} ({self.get_status_display()})"


class PayLink(models.Model):
    """An Alipay trade a pay link went out for (an order's or a top-up's): only such trades can
    be paid at Alipay, so only they are asked about before a time-out and in the daily check.
    Kept in the database (Redis's copy expires) for the daily reconciliation."""

    out_trade_no = models.CharField("商户订单号", max_length=64, unique=True)
    created_time = models.DateTimeField("首次发出时间", auto_now_add=True, db_index=True)

    class Meta:
        db_table = "fs_pay_link"
        verbose_name = verbose_name_plural = "已发出的支付链接"

    def __str__(self):
        return self.out_trade_no


class Mismatch(models.Model):
    """One disagreement the daily reconciliation found between our records and Alipay's trade
    query (or, for a refund, its refund query). Read-only for staff: what to do about it is in
    `detail` and the README."""

    class Kind(models.TextChoices):
        PAYMENT_NOT_AT_ALIPAY = "payment_not_at_alipay", "有支付记录，支付宝未显示已支付"
        PAYMENT_DIFFERS = "payment_differs", "支付记录与支付宝的金额或流水号不一致"
        REFUND_NOT_AT_ALIPAY = "refund_not_at_alipay", "已标记退款，支付宝交易仍为已支付"
        RECHARGE_NOT_AT_ALIPAY = "recharge_not_at_alipay", "充值已到账，支付宝未显示已支付"
        RECHARGE_DIFFERS = "recharge_differs", "充值与支付宝的金额或流水号不一致"
        PAID_NOT_RECORDED = "paid_not_recorded", "支付宝已收款，本地未入账（已补记）"
        REFUND_MISSING_AT_ALIPAY = "refund_missing_at_alipay", "本地已退款，支付宝无此退款"
        REFUND_AMOUNT_DIFFERS = "refund_amount_differs", "退款金额与支付宝不一致"
        REFUND_NOT_RECORDED = "refund_not_recorded", "支付宝已退款，本地为退款中或退款失败"
        UNCHECKED = "unchecked", "无法向支付宝查询"

    day = models.DateField("对账日期")
    kind = models.CharField("类型", max_length=32, choices=Kind.choices)
    out_trade_no = models.CharField("商户订单号", max_length=64)
    out_request_no = models.CharField("退款请求号", max_length=64, blank=True, default="")
    trade_no = models.CharField("支付平台流水号", max_length=64, blank=True, default="")
    ours = models.CharField("本地记录", max_length=255, blank=True, default="")
    alipay = models.JSONField("支付宝应答", default=dict, blank=True)
    detail = models.CharField("说明", max_length=255, blank=True, default="")
    created_time = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        db_table = "fs_reconciliation_mismatch"
        verbose_name = verbose_name_plural = "对账差异"
        ordering = ["-id"]
        constraints = [
            # re-running a day's reconciliation records each mismatch once (a refund's by its
            # out_request_no: a trade may have several refunds; "" for a trade's own mismatches)
            models.UniqueConstraint(
                fields=["day", "kind", "out_trade_no", "out_request_no"], name="mismatch_unique_day_kind_trade_refund"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.get_kind_display()} {self.out_trade_no}"
