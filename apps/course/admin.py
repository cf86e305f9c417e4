from django.contrib import admin

from apps.course.models import (
    Activity,
    Course,
    CourseActivityPrice,
    CourseCategory,
    CourseDirection,
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
