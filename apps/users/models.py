from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from extension.models import BaseModel


class User(AbstractUser):
    """A shop customer (or admin): profile, credit points and account balance."""

    class Gender(models.IntegerChoices):
        SECRET = 0, "保密"
        MALE = 1, "男"
        FEMALE = 2, "女"

    mobile = models.CharField("手机号", max_length=15, unique=True, null=True, blank=True)
    nickname = models.CharField("昵称", max_length=50, blank=True, default="")
    avatar = models.ImageField("头像", upload_to="avatar/%Y/%m", null=True, blank=True)
    credit = models.PositiveIntegerField("积分", default=0)
    money = models.DecimalField("余额", max_digits=10, decimal_places=2, default=0)
    gender = models.SmallIntegerField("性别", choices=Gender.choices, default=Gender.SECRET)
    position = models.CharField("职位", max_length=50, blank=True, default="")
    city = models.CharField("城市", max_length=50, blank=True, default="")
    signature = models.CharField("个性签名", max_length=255, blank=True, default="")

    class Meta:
        db_table = "fs_users"
        verbose_name = verbose_name_plural = "用户信息"
        constraints = [
            models.CheckConstraint(condition=models.Q(credit__gte=0), name="user_credit_non_negative"),
            models.CheckConstraint(condition=models.Q(money__gte=0), name="user_money_non_negative"),
        ]

    def __str__(self):
        return self.username

    @property
    def avatar_url(self) -> str:
        """Root-relative URL the client prefixes with its host; a default picture when unset."""
        return self.avatar.url if self.avatar else settings.DEFAULT_AVATAR_URL


class Credit(models.Model):
    """One line of a user's credit history: every change of `User.credit` writes one."""

    class Operation(models.IntegerChoices):
        EARN = 0, "赠送"
        SPEND = 1, "消费"
        REFUND = 2, "退还"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="credit_logs", verbose_name="用户")
    operation = models.SmallIntegerField("操作", choices=Operation.choices)
    number = models.IntegerField("积分变化", help_text="正数增加，负数减少")
    remark = models.CharField("备注", max_length=255, blank=True, default="")
    created_time = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        db_table = "fs_credit"
        verbose_name = verbose_name_plural = "积分流水"
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "-created_time"], name="credit_user_time")]

    def __str__(self):
        return f"{self.user_id} {self.get_operation_display()} {self.number}"


class MoneyLog(models.Model):
    """One line of a user's balance (余额) history: every change of `User.money` writes one, in the
    same transaction, with the balance it left, so the ledger always adds up to `User.money`."""

    class Operation(models.IntegerChoices):
        RECHARGE = 1, "充值"
        PAY = 2, "消费"
        REFUND = 3, "退款"
        ADJUST = 4, "人工调整"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="money_logs", verbose_name="用户")
    operation = models.SmallIntegerField("操作", choices=Operation.choices)
    amount = models.DecimalField("金额变化", max_digits=10, decimal_places=2, help_text="正数增加，负数减少")
    balance_after = models.DecimalField("变化后余额", max_digits=10, decimal_places=2)
    remark = models.CharField("备注", max_length=255, blank=True, default="")
    created_time = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        db_table = "fs_money_log"
        verbose_name = verbose_name_plural = "余额流水"
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "-created_time"], name="money_user_time")]

    def __str__(self):
        return f"{self.user_id} {self.get_operation_display()} {self.amount}"


class UserCourse(BaseModel):
    """A course a user owns (bought or granted): at most once per user and course."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="user_courses", verbose_name="用户")
    course = models.ForeignKey(
        "course.Course", on_delete=models.CASCADE, related_name="course_users", verbose_name="课程"
    )

    class Meta:
        db_table = "fs_user_course"
        verbose_name = verbose_name_plural = "用户的课程"
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="user_course_unique")]

    def __str__(self):
        return f"{self.user_id}:{self.course_id}"
