from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from extension.models import BaseModel
from extension.money import apply_sale, is_valid_sale


class PublishedQuerySet(models.QuerySet):
    def published(self):
        """What customers may see: shown and not deleted."""
        return self.filter(is_show=True, is_deleted=False)


class CourseDirection(BaseModel):
    name = models.CharField("名称", max_length=100)
    remark = models.TextField("备注", blank=True, default="")

    objects = PublishedQuerySet.as_manager()

    class Meta:
        db_table = "fs_course_direction"
        verbose_name = verbose_name_plural = "学习方向"
        ordering = ["orders", "id"]

    def __str__(self):
        return self.name


class CourseCategory(BaseModel):
    name = models.CharField("名称", max_length=100)
    direction = models.ForeignKey(
        CourseDirection, on_delete=models.PROTECT, related_name="categories", verbose_name="学习方向"
    )
    remark = models.TextField("备注", blank=True, default="")

    objects = PublishedQuerySet.as_manager()

    class Meta:
        db_table = "fs_course_category"
        verbose_name = verbose_name_plural = "课程分类"
        ordering = ["orders", "id"]

    def __str__(self):
        return self.name


class Course(BaseModel):
    name = models.CharField("课程名称", max_length=255)
    course_cover = models.ImageField("封面图片", upload_to="course/cover", null=True, blank=True)
    description = models.TextField("详情介绍", blank=True, default="")
    price = models.DecimalField("价格", max_digits=10, decimal_places=2)
    credit = models.PositiveIntegerField("可用积分", default=0, help_text="购买时最多可抵扣的积分")
    students = models.PositiveIntegerField("学习人数", default=0)
    lessons = models.PositiveIntegerField("课时数", default=0)
    direction = models.ForeignKey(
        CourseDirection, on_delete=models.PROTECT, related_name="courses", verbose_name="学习方向"
    )
    category = models.ForeignKey(
        CourseCategory, on_delete=models.PROTECT, related_name="courses", verbose_name="课程分类"
    )

    objects = PublishedQuerySet.as_manager()

    class Meta:
        db_table = "fs_course"
        verbose_name = verbose_name_plural = "课程信息"
        constraints = [models.CheckConstraint(condition=models.Q(price__gte=0), name="course_price_non_negative")]

    def __str__(self):
        return self.name

    def live_activity_prices(self) -> list["CourseActivityPrice"]:
        """Activity prices in force now (uses the prefetch of `selectors.course_queryset` or of
        the catalogue cache if present: those may hold prices not live yet, or over since)."""
        prefetched = getattr(self, "prefetched_live_prices", None)
        if prefetched is not None:
            now = timezone.now()
            return [p for p in prefetched if p.activity.start_time <= now < p.activity.end_time]
        return list(CourseActivityPrice.objects.live().filter(course=self).select_related("activity", "discount_type"))

    @property
    def discount(self) -> dict:
        """{"type", "price", "expire"} of the best live activity, `{}` when none is live."""
        best = None
        for activity_price in self.live_activity_prices():
            price = activity_price.price_for(self.price)
            if best is None or price < best[1]:
                best = (activity_price, price)
        if best is None:
            return {}
        activity_price, price = best
        expire = int((activity_price.activity.end_time - timezone.now()).total_seconds())
        return {"type": activity_price.discount_type.name, "price": f"{price:.2f}", "expire": max(expire, 0)}

    @property
    def real_price(self):
        """What the course costs now: the activity price while one is live, else `price`."""
        discount = self.discount
        return Decimal(discount["price"]) if discount else self.price


class Activity(BaseModel):
    name = models.CharField("活动名称", max_length=150)
    start_time = models.DateTimeField("开始时间")
    end_time = models.DateTimeField("结束时间")
    description = models.TextField("活动介绍", blank=True, default="")

    class Meta:
        db_table = "fs_activity"
        verbose_name = verbose_name_plural = "优惠活动"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="activity_ends_after_start"
            )
        ]

    def __str__(self):
        return self.name


class DiscountType(BaseModel):
    name = models.CharField("优惠类型", max_length=50, help_text="展示给用户的名称，如“限时折扣”")
    remark = models.CharField("备注", max_length=255, blank=True, default="")

    class Meta:
        db_table = "fs_discount_type"
        verbose_name = verbose_name_plural = "优惠类型"

    def __str__(self):
        return self.name


class CourseActivityPriceQuerySet(models.QuerySet):
    def live(self, now=None):
        now = now or timezone.now()
        return self.not_over(now).filter(activity__start_time__lte=now)

    def not_over(self, now=None):
        """Shown prices of shown activities that have not ended: live now, or going live later
        (what a cached course keeps, so that an activity starting later needs no reload)."""
        return self.filter(
            is_show=True,
            is_deleted=False,
            activity__is_show=True,
            activity__is_deleted=False,
            activity__end_time__gt=now or timezone.now(),
        )


class CourseActivityPrice(BaseModel):
    """A course's price rule during an activity: "*0.8" (80 %), "-50" (50 off) or "199" (fixed)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="prices", verbose_name="活动")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="activity_prices", verbose_name="课程")
    discount_type = models.ForeignKey(DiscountType, on_delete=models.PROTECT, verbose_name="优惠类型")
    sale = models.CharField("价格规则", max_length=20, help_text='"*0.8" 打八折，"-50" 减50元，"199" 一口价')

    objects = CourseActivityPriceQuerySet.as_manager()

    class Meta:
        db_table = "fs_course_activity_price"
        verbose_name = verbose_name_plural = "课程活动价格"

    def __str__(self):
        return f"{self.activity} {self.course} {self.sale}"

    def clean(self):
        if not is_valid_sale(self.sale or ""):
            raise ValidationError({"sale": '价格规则格式错误：应为 "*0.8"、"-50" 或 "199"'})

    def price_for(self, price):
        return apply_sale(price, self.sale)


class CourseReview(BaseModel):
    """A customer's review of a course they own (立即评价): one per user and course, a second post
    edits it. `is_show` is the staff's switch in the admin: a hidden review leaves the list and the
    course's average at once (both are computed from the visible rows, never stored)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_reviews", verbose_name="用户"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="reviews", verbose_name="课程")
    score = models.PositiveSmallIntegerField("评分", help_text="1 到 5 分")
    content = models.CharField("评价内容", max_length=500, blank=True, default="")

    class Meta:
        db_table = "fs_course_review"
        verbose_name = verbose_name_plural = "课程评价"
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="course_review_one_per_user"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="course_review_score_1_5"),
        ]
        indexes = [
            # a course's visible reviews, newest first, and their count and average
            models.Index(fields=["course", "is_show", "is_deleted", "-id"], name="review_course_visible"),
        ]

    def __str__(self):
        return f"{self.course_id} {self.user_id} {self.score}"
