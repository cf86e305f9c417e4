"""Coupons in the admin. Every save and delete of a coupon record refreshes its Redis copy after
the transaction commits, so a rolled-back save leaves Redis as it was. The users list's 发放优惠券
action is coupon's too: it is added to the users' admin from here (users sit below coupons)."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils import timezone

from apps.coupon.exceptions import CouponSoldOut
from apps.coupon.models import Coupon, CouponCourse, CouponCourseCat, CouponDirection, CouponLog
from apps.coupon.services import issue_coupon as issue_coupon_to_users
from apps.coupon.services import mirror_after_commit, remove_after_commit
from apps.users.admin import UserAdmin


class CouponDirectionInline(admin.TabularInline):
    model = CouponDirection
    extra = 0
    fields = ["direction"]


class CouponCourseCatInline(admin.TabularInline):
    model = CouponCourseCat
    extra = 0
    fields = ["category"]


class CouponCourseInline(admin.TabularInline):
    model = CouponCourse
    extra = 0
    fields = ["course"]
    raw_id_fields = ["course"]


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "start_time", "end_time", "total", "has_total", "coupon_type", "get_type"]
    list_filter = ["coupon_type", "discount", "get_type", "is_show"]
    search_fields = ["name"]
    inlines = [CouponDirectionInline, CouponCourseCatInline, CouponCourseInline]

    def save_related(self, request, form, formsets, change):
        """A coupon's times, sale or scope changed: its holders' Redis copies follow."""
        super().save_related(request, form, formsets, change)
        if change:
            mirror_after_commit(form.instance.logs.values_list("id", flat=True))

    def delete_model(self, request, obj):
        entries = list(obj.logs.values_list("user_id", "id"))
        super().delete_model(request, obj)
        remove_after_commit(entries)

    def delete_queryset(self, request, queryset):
        entries = list(CouponLog.objects.filter(coupon__in=queryset).values_list("user_id", "id"))
        super().delete_queryset(request, queryset)
        remove_after_commit(entries)


@admin.register(CouponLog)
class CouponLogAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "coupon", "order", "use_time", "use_status", "is_deleted"]
    list_filter = ["use_status", "coupon"]
    search_fields = ["user__username", "user__mobile", "coupon__name", "order__order_number"]
    list_select_related = ["user", "coupon", "order"]
    raw_id_fields = ["user", "coupon", "order"]

    def save_model(self, request, obj, form, change):
        """Saved unused and unexpired: offered in Redis; otherwise removed from it."""
        previous_user = (
            CouponLog.objects.filter(pk=obj.pk).values_list("user_id", flat=True).first() if change else None
        )
        super().save_model(request, obj, form, change)
        if previous_user is not None and previous_user != obj.user_id:
            remove_after_commit([(previous_user, obj.pk)])
        mirror_after_commit([obj.pk])

    def delete_model(self, request, obj):
        """Deleted from its own page: gone from Redis too."""
        entry = (obj.user_id, obj.pk)
        super().delete_model(request, obj)
        remove_after_commit([entry])

    def delete_queryset(self, request, queryset):
        """Deleted in bulk from the list: every one gone from Redis too."""
        entries = list(queryset.values_list("user_id", "id"))
        super().delete_queryset(request, queryset)
        remove_after_commit(entries)


class IssueCouponForm(forms.Form):
    coupon = forms.ModelChoiceField(label="优惠券", queryset=Coupon.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coupon"].queryset = Coupon.objects.filter(is_deleted=False, end_time__gt=timezone.now())


@admin.action(description="发放优惠券给所选用户")
def issue_coupon(modeladmin, request, queryset):
    """The users list's action: one coupon to each selected user, within the coupon's limits."""
    form = IssueCouponForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        coupon = form.cleaned_data["coupon"]
        try:
            issued, skipped = issue_coupon_to_users(coupon=coupon, users=queryset)
        except CouponSoldOut:
            modeladmin.message_user(request, f"“{coupon}”剩余数量不足，未发放。", messages.ERROR)
            return None
        modeladmin.message_user(request, f"已发放 {len(issued)} 张“{coupon}”；{len(skipped)} 位用户已达领取上限。")
        return None
    context = {**modeladmin.admin_site.each_context(request), "form": form, "users": queryset, "title": "发放优惠券"}
    return render(request, "admin/users/issue_coupon.html", context)


if issue_coupon not in UserAdmin.actions:
    UserAdmin.actions = [issue_coupon, *UserAdmin.actions]
