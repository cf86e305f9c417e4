from django.core.exceptions import ValidationError
from django.db import models

from extension.models import BaseModel
from extension.money import SALE_MULTIPLY, SALE_SUBTRACT


class Coupon(BaseModel):
    """A kind of coupon: how much it takes off, on what, from when to when, and how many exist."""

    class Discount(models.IntegerChoices):
        REDUCE = 1, "减免"
        RATE = 2, "折扣"

    class CouponType(models.IntegerChoices):
        GENERAL = 0, "通用类型"
        DIRECTION = 1, "指定方向"
        CATEGORY = 2, "指定分类"
        COURSE = 3, "指定课程"

    class GetType(models.IntegerChoices):
        SYSTEM = 0, "系统赠送"
        SELF = 1, "自行领取"

    name = models.CharField("优惠券名称", max_length=100)
    discount = models.SmallIntegerField("优惠方式", choices=Discount.choices, default=Discount.REDUCE)
    coupon_type = models.SmallIntegerField("优惠券类型", choices=CouponType.choices, default=CouponType.GENERAL)
    get_type = models.SmallIntegerField("领取方式", choices=GetType.choices, default=GetType.SYSTEM)
    sale = models.CharField("优惠公式", max_length=20, help_text='减免填 "-20"（减20元），折扣填 "*0.8"（打八折）')
    condition = models.DecimalField(
        "满足使用条件的最低金额",
        max_digits=10,
        decimal_places=2,
        default=0,
        help_text="适用课程的总价达到此金额才能使用",
    )
    total = models.PositiveIntegerField("发放数量", default=100)
    has_total = models.PositiveIntegerField("剩余数量", default=100)
    per_limit = models.PositiveSmallIntegerField("每人限领数量", default=1)
    start_time = models.DateTimeField("启用时间")
    end_time = models.DateTimeField("过期时间")

    class Meta:
        db_table = "fs_coupon"
        verbose_name = verbose_name_plural = "优惠券"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="coupon_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(has_total__lte=models.F("total")), name="coupon_has_total_le_total"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        sale = (self.sale or "").strip()
        if self.discount == self.Discount.REDUCE and not SALE_SUBTRACT.match(sale):
            errors["sale"] = '减免券的优惠公式应为 "-金额"，如 "-20"'
        elif self.discount == self.Discount.RATE and not (SALE_MULTIPLY.match(sale) and 0 < float(sale[1:]) < 1):
            errors["sale"] = '折扣券的优惠公式应为 "*折扣率"（0 到 1 之间），如 "*0.8"'
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = "过期时间必须晚于启用时间"
        if self.has_total is not None and self.total is not None and self.has_total > self.total:
            errors["has_total"] = "剩余数量不能超过发放数量"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """A coupon whose `sale` does not match its `discount` is never stored."""
        self.sale = (self.sale or "").strip()
        self.clean()
        super().save(*args, **kwargs)


class CouponDirection(models.Model):
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="to_direction", verbose_name="优惠券")
    direction = models.ForeignKey(
        "course.CourseDirection", on_delete=models.CASCADE, related_name="to_coupon", verbose_name="学习方向"
    )
    created_time = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        db_table = "fs_coupon_direction"
        verbose_name = verbose_name_plural = "优惠券与学习方向"
        constraints = [models.UniqueConstraint(fields=["coupon", "direction"], name="coupon_direction_unique")]

    def __str__(self):
        return f"{self.coupon} → {self.direction}"


class CouponCourseCat(models.Model):
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="to_category", verbose_name="优惠券")
    category = models.ForeignKey(
        "course.CourseCategory", on_delete=models.CASCADE, related_name="to_coupon", verbose_name="课程分类"
    )
    created_time = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        db_table = "fs_coupon_course_category"
        verbose_name = verbose_name_plural = "优惠券与课程分类"
        constraints = [models.UniqueConstraint(fields=["coupon", "category"], name="coupon_category_unique")]

    def __str__(self):
        return f"{self.coupon} → {self.category}"


class CouponCourse(models.Model):
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="to_course", verbose_name="优惠券")
    course = models.ForeignKey("course.Course", on_delete=models.CASCADE, related_name="to_coupon", verbose_name="课程")
    created_time = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        db_table = "fs_coupon_course"
        verbose_name = verbose_name_plural = "优惠券与课程"
        constraints = [models.UniqueConstraint(fields=["coupon", "course"], name="coupon_course_unique")]

    def __str__(self):
        return f"{self.coupon} → {self.course}"


class CouponLog(BaseModel):
    """A coupon a user holds. `order` is the live order it is bound to (None when free);
    `use_status` becomes 已使用 when that order is paid."""

    class UseStatus(models.IntegerChoices):
        UNUSED = 0, "未使用"
        USED = 1, "已使用"
        EXPIRED = 2, "已过期"

    user = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="coupon_logs", verbose_name="用户")
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="logs", verbose_name="优惠券")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="to_coupon", verbose_name="订单"
    )
    use_time = models.DateTimeField("使用时间", null=True, blank=True)
    use_status = models.SmallIntegerField("使用状态", choices=UseStatus.choices, default=UseStatus.UNUSED)

    class Meta:
        db_table = "fs_coupon_log"
        verbose_name = verbose_name_plural = "优惠券发放和使用记录"
        indexes = [models.Index(fields=["user", "use_status"], name="couponlog_user_status")]

    def __str__(self):
        return f"{self.coupon} ({self.user})"
