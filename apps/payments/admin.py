from django.contrib import admin, messages

from apps.payments.exceptions import PaymentNotRefundable
from apps.payments.models import Mismatch, Payment, Recharge
from apps.payments.services import mark_refunded


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Payments are written by Alipay's notifies and polls only; an operator refunds the
    "待退款" ones at Alipay and then marks them refunded here."""

    list_display = ["id", "out_trade_no", "trade_no", "amount", "status", "source", "paid_at", "created_time"]
    list_filter = ["status", "channel", "source"]
    search_fields = ["out_trade_no", "trade_no", "order__order_number", "order__user__username"]
    list_select_related = ["order"]
    readonly_fields = [
        "order",
        "channel",
        "out_trade_no",
        "trade_no",
        "amount",
        "status",
        "source",
        "paid_at",
        "raw",
        "created_time",
        "updated_time",
    ]
    fields = [*readonly_fields[:8], "remark", *readonly_fields[8:]]
    actions = ["mark_as_refunded"]
    date_hierarchy = "created_time"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="标记为已退款（已在支付宝完成退款）")
    def mark_as_refunded(self, request, queryset):
        done = skipped = 0
        for payment in queryset:
            try:
                mark_refunded(payment_id=payment.pk, remark=f"{request.user.username} 标记已退款")
                done += 1
            except PaymentNotRefundable:
                skipped += 1
        self.message_user(request, f"已标记 {done} 条为已退款，跳过 {skipped} 条非待退款记录", messages.INFO)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Recharge)
class RechargeAdmin(ReadOnlyAdmin):
    """Top-ups: credited only by their Alipay notify (or a trade query); staff read them."""

    list_display = ["id", "recharge_number", "user", "amount", "status", "trade_no", "paid_at", "created_time"]
    list_filter = ["status", "source"]
    search_fields = ["recharge_number", "trade_no", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "created_time"


@admin.register(Mismatch)
class MismatchAdmin(ReadOnlyAdmin):
    """What the daily reconciliation with Alipay found (README: what operators do about each kind)."""

    list_display = ["id", "day", "kind", "out_trade_no", "trade_no", "ours", "detail", "created_time"]
    list_filter = ["kind", "day"]
    search_fields = ["out_trade_no", "trade_no"]
    date_hierarchy = "day"
