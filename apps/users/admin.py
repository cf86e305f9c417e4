from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from apps.coupon.exceptions import CouponSoldOut
from apps.coupon.models import Coupon
from apps.coupon.services import issue_coupon
from apps.users.models import Credit, User, UserCourse

admin.site.site_header = "飞升在线教育 管理后台"
admin.site.site_title = "飞升在线教育"


class CreditInline(admin.TabularInline):
    model = Credit
    extra = 0
    can_delete = False
    fields = ["operation", "number", "remark", "created_time"]
    readonly_fields = fields
    ordering = ["-id"]
    max_num = 0  # history is written by the code, not typed in

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["id", "username", "nickname", "mobile", "email", "credit", "money", "is_active", "date_joined"]
    list_filter = ["is_active", "is_staff", "gender"]
    search_fields = ["username", "nickname", "mobile", "email"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("资料", {"fields": ("mobile", "nickname", "avatar", "gender", "position", "city", "signature")}),
        ("资产", {"fields": ("credit", "money")}),
    )
    inlines = [CreditInline]
    actions = ["issue_coupon"]

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        """An admin's change of credit is logged like any other, so the history adds up."""
        before = User.objects.filter(pk=obj.pk).values_list("credit", flat=True).first() if change else 0
        super().save_model(request, obj, form, change)
        delta = obj.credit - (before or 0)
        if delta:
            Credit.objects.create(
                user=obj,
                operation=Credit.Operation.EARN if delta > 0 else Credit.Operation.SPEND,
                number=delta,
                remark=f"管理员 {request.user.username} 调整",
            )

    @admin.action(description="发放优惠券给所选用户")
    def issue_coupon(self, request, queryset):
        form = IssueCouponForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            coupon = form.cleaned_data["coupon"]
            try:
                issued, skipped = issue_coupon(coupon=coupon, users=queryset)
            except CouponSoldOut:
                self.message_user(request, f"“{coupon}”剩余数量不足，未发放。", messages.ERROR)
                return None
            self.message_user(request, f"已发放 {len(issued)} 张“{coupon}”；{len(skipped)} 位用户已达领取上限。")
            return None
        context = {**self.admin_site.each_context(request), "form": form, "users": queryset, "title": "发放优惠券"}
        return render(request, "admin/users/issue_coupon.html", context)


class IssueCouponForm(forms.Form):
    coupon = forms.ModelChoiceField(label="优惠券", queryset=Coupon.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coupon"].queryset = Coupon.objects.filter(is_deleted=False, end_time__gt=timezone.now())


@admin.register(Credit)
class CreditAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "operation", "number", "remark", "created_time"]
    list_filter = ["operation"]
    search_fields = ["user__username", "remark"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(UserCourse)
class UserCourseAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "course", "created_time"]
    search_fields = ["user__username", "course__name"]
    list_select_related = ["user", "course"]
    raw_id_fields = ["user", "course"]
