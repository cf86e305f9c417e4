from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import render

from apps.users.exceptions import InsufficientCredit, InsufficientMoney
from apps.users.models import Credit, MoneyLog, User, UserCourse
from apps.users.services import adjust_balances

admin.site.site_header = "飞升在线教育 管理后台"
admin.site.site_title = "飞升在线教育"


class ReadOnlyLedgerMixin:
    """A ledger is written by apps/users/services.py only: staff read it, never add, edit or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CreditInline(ReadOnlyLedgerMixin, admin.TabularInline):
    model = Credit
    extra = 0
    fields = ["operation", "number", "remark", "created_time"]
    readonly_fields = fields
    ordering = ["-id"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["id", "username", "nickname", "mobile", "email", "credit", "money", "is_active", "date_joined"]
    list_filter = ["is_active", "is_staff", "gender"]
    search_fields = ["username", "nickname", "mobile", "email"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("资料", {"fields": ("mobile", "nickname", "avatar", "gender", "position", "city", "signature")}),
        ("资产（只读：请用列表页的“调整积分/余额”操作）", {"fields": ("credit", "money")}),
    )
    # Saving the form's absolute balance would overwrite a spend or refund that happened after the
    # page was loaded (a lost update): balances change only through the adjust action below.
    readonly_fields = ["credit", "money"]
    inlines = [CreditInline]
    # apps above users add their own actions here (apps/coupon/admin.py: 发放优惠券)
    actions = ["adjust_balance"]

    @admin.action(description="调整积分/余额", permissions=["change"])
    def adjust_balance(self, request, queryset):
        """Relative changes through the users' ledger service, with who and why on each line."""
        form = AdjustBalanceForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            data, done = form.cleaned_data, []
            for user in queryset.order_by("pk"):
                try:
                    adjust_balances(
                        user_id=user.pk, credit=data["credit"], money=data["money"], staff=request.user,
                        reason=data["reason"],
                    )  # fmt: skip
                except (InsufficientCredit, InsufficientMoney) as exc:
                    self.message_user(request, f"{user.username}：{exc.detail}，未调整。", messages.ERROR)
                else:
                    done.append(user.username)
            if done:
                self.message_user(request, f"已调整 {len(done)} 位用户：{'、'.join(done)}。")
            return None
        context = {**self.admin_site.each_context(request), "form": form, "users": queryset, "title": "调整积分/余额"}
        return render(request, "admin/users/adjust_balance.html", context)


class AdjustBalanceForm(forms.Form):
    credit = forms.IntegerField(label="积分变化", initial=0, help_text="正数增加，负数减少")
    money = forms.DecimalField(label="余额变化（元）", initial=0, max_digits=10, decimal_places=2)
    reason = forms.CharField(label="原因", max_length=200, help_text="必填，记入流水")

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("credit") and not data.get("money"):
            raise forms.ValidationError("积分和余额的变化不能都为 0")
        return data


@admin.register(Credit)
class CreditAdmin(ReadOnlyLedgerMixin, admin.ModelAdmin):
    list_display = ["id", "user", "operation", "number", "remark", "created_time"]
    list_filter = ["operation"]
    search_fields = ["user__username", "remark"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(MoneyLog)
class MoneyLogAdmin(ReadOnlyLedgerMixin, admin.ModelAdmin):
    list_display = ["id", "user", "operation", "amount", "balance_after", "remark", "created_time"]
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
