from django.contrib import admin

from apps.course.models import (
    Activity,
    Course,
    CourseActivityPrice,
    CourseCategory,
    CourseDirection,
    CourseReview,
    DiscountType,
)


@admin.register(CourseDirection)
class CourseDirectionAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "orders", "is_show", "is_deleted"]
    list_editable = ["orders", "is_show"]
    search_fields = ["name"]


@admin.register(CourseCategory)
class CourseCategoryAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "direction", "orders", "is_show", "is_deleted"]
    list_filter = ["direction", "is_show"]
    search_fields = ["name"]
    list_select_related = ["direction"]


class CourseActivityPriceInline(admin.TabularInline):
    model = CourseActivityPrice
    extra = 0
    fields = ["course", "discount_type", "sale", "is_show"]
    raw_id_fields = ["course"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "price", "credit", "direction", "category", "students", "is_show", "is_deleted"]
    list_filter = ["direction", "category", "is_show", "is_deleted"]
    search_fields = ["name"]
    list_select_related = ["direction", "category"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "start_time", "end_time", "is_show"]
    list_filter = ["is_show"]
    search_fields = ["name"]
    inlines = [CourseActivityPriceInline]


@admin.register(DiscountType)
class DiscountTypeAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "remark"]


@admin.register(CourseReview)
class CourseReviewAdmin(admin.ModelAdmin):
    """Staff hide a review by unticking 是否显示 (or with the actions): it leaves the course's list
    and average at once, both being computed from the visible reviews."""

    list_display = ["id", "course", "user", "score", "content", "is_show", "created_time"]
    list_editable = ["is_show"]
    list_filter = ["is_show", "score"]
    search_fields = ["course__name", "user__username", "user__nickname", "content"]
    list_select_related = ["course", "user"]
    raw_id_fields = ["course", "user"]
    actions = ["hide_reviews", "show_reviews"]

    @admin.action(description="隐藏所选评价")
    def hide_reviews(self, request, queryset):
        self.message_user(request, f"已隐藏 {queryset.update(is_show=False)} 条评价。")

    @admin.action(description="显示所选评价")
    def show_reviews(self, request, queryset):
        self.message_user(request, f"已显示 {queryset.update(is_show=True)} 条评价。")
