from django.db import models

from extension.models import BaseModel


class Order(BaseModel):
    """A customer's order. It leaves UNPAID exactly once, for PAID, CANCELLED or TIMEOUT, and a paid
    one may end REFUNDED (1 → 4, SPEC §9.3); apps/orders/services.py is the only code that changes
    `order_status`."""

    class Status(models.IntegerChoices):
        UNPAID = 0, "未支付"
        PAID = 1, "已支付"
        CANCELLED = 2, "已取消"
        TIMEOUT = 3, "已超时"
        REFUNDED = 4, "已退款"

    class PayType(models.IntegerChoices):
        ALIPAY = 0, "支付宝"
        WECHAT = 1, "微信"
        BALANCE = 2, "余额"

    name = models.CharField("订单标题", max_length=255)
    user = models.ForeignKey(
        "users.User", on_delete=models.PROTECT, related_name="user_orders", verbose_name="下单用户"
    )
    order_number = models.CharField("订单号", max_length=64, unique=True)
    order_status = models.SmallIntegerField("订单状态", choices=Status.choices, default=Status.UNPAID)
    pay_type = models.SmallIntegerField("支付方式", choices=PayType.choices, default=PayType.ALIPAY)
    total_price = models.DecimalField("订单总价", max_digits=10, decimal_places=2, default=0)
    real_price = models.DecimalField("实付金额", max_digits=10, decimal_places=2, default=0)
    credit = models.PositiveIntegerField("使用的积分", default=0)
    credit_discount = models.DecimalField("积分抵扣金额", max_digits=10, decimal_places=2, default=0)
    coupon_discount = models.DecimalField("优惠券抵扣金额", max_digits=10, decimal_places=2, default=0)
    user_coupon = models.ForeignKey(
        "coupon.CouponLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="使用的优惠券",
        help_text="历史记录：订单取消后优惠券可再次使用，这里仍指向它",
    )
    pay_time = models.DateTimeField("支付时间", null=True, blank=True)
    trade_no = models.CharField("支付平台流水号", max_length=64, blank=True, default="")

    class Meta:
        db_table = "fs_order"
        verbose_name = verbose_name_plural = "订单记录"
        indexes = [
            # "my orders", all statuses (the default tab), newest first: without it MariaDB reads a
            # user's orders through the index below and sorts them, or, for a small page, walks the
            # primary key back from the newest order of anyone (bench/: 47 ms instead of 0.7 ms)
            models.Index(fields=["user", "is_deleted", "is_show", "-id"], name="order_user_newest"),
            # "my orders" of one status, newest first
            models.Index(fields=["user", "is_deleted", "is_show", "order_status", "-id"], name="order_user_listing"),
            # the time-out sweep: unpaid orders older than ORDER_TIMEOUT
            models.Index(fields=["order_status", "created_time"], name="order_status_created"),
            # a user's unpaid (or paid) orders, asked by every cart add and order: without it MariaDB
            # walks every unpaid order of the shop (order_status_created), 90,000 at 100 orders/s
            models.Index(fields=["user", "order_status"], name="order_user_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(real_price__gte=0), name="order_real_price_non_negative"),
            models.CheckConstraint(condition=models.Q(total_price__gte=0), name="order_total_price_non_negative"),
        ]

    def __str__(self):
        return f"{self.order_number} ({self.get_order_status_display()})"


class OrderDetail(BaseModel):
    """One course of an order, with the prices it had when ordered."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="order_courses", verbose_name="订单")
    course = models.ForeignKey(
        "course.Course", on_delete=models.PROTECT, related_name="course_orders", verbose_name="课程"
    )
    name = models.CharField("课程名称", max_length=255)
    price = models.DecimalField("课程原价", max_digits=10, decimal_places=2)
    real_price = models.DecimalField("课程实价", max_digits=10, decimal_places=2)
    discount_name = models.CharField("优惠类型", max_length=120, blank=True, default="")

    class Meta:
        db_table = "fs_order_detail"
        verbose_name = verbose_name_plural = "订单详情"

    def __str__(self):
        return f"{self.order_id}: {self.name}"
