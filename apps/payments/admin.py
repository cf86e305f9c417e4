from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect

from apps.payments import refunds
from apps.payments.exceptions import PaymentNotRefundable
from apps.payments.models import Mismatch, Payment, Recharge, Refund
from apps.payments.services import mark_refunded
from extension.exceptions import ServiceError


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


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    """Refunds: customers' requests (approve / reject here) and the automatic refunds of late or
    second payments. Every button and action goes through apps/payments/refunds.py."""

    list_display = [
        "id", "order", "kind", "channel", "amount", "status", "attempts", "last_error", "approved_by", "created_time",
    ]  # fmt: skip
    list_filter = ["status", "kind", "channel"]
    search_fields = ["out_request_no", "order__order_number", "order__user__username"]
    list_select_related = ["order", "approved_by"]
    readonly_fields = [
        "order", "payment", "kind", "channel", "amount", "out_request_no", "status", "reason", "reject_reason",
        "approved_by", "approved_time", "attempts", "last_error", "answer", "created_time", "updated_time",
        "refunded_time",
    ]  # fmt: skip
    actions = ["approve_selected", "retry_selected"]
    date_hierarchy = "created_time"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and {"_approve", "_reject", "_retry"} & set(request.POST):
            return self._decide(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def _decide(self, request, object_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            if "_approve" in request.POST:
                refund = refunds.approve_refund(refund_id=int(object_id), staff=request.user)
                self.message_user(request, f"已批准：{refund.get_status_display()}", messages.SUCCESS)
            elif "_reject" in request.POST:
                refunds.reject_refund(
                    refund_id=int(object_id), staff=request.user, reason=request.POST.get("reject_reason_input", "")
                )
                self.message_user(request, "已拒绝该退款申请", messages.SUCCESS)
            else:
                refund = refunds.retry_refund(refund_id=int(object_id), staff=request.user)
                self.message_user(request, f"已重试：{refund.get_status_display()}", messages.SUCCESS)
        except ServiceError as exc:
            self.message_user(request, str(exc.detail), messages.ERROR)
        return HttpResponseRedirect(request.path)

    @admin.action(description="批准所选退款申请（原路退回）")
    def approve_selected(self, request, queryset):
        self._each(request, queryset, lambda refund: refunds.approve_refund(refund_id=refund.pk, staff=request.user))

    @admin.action(description="重试所选的退款失败记录")
    def retry_selected(self, request, queryset):
        self._each(request, queryset, lambda refund: refunds.retry_refund(refund_id=refund.pk, staff=request.user))

    def _each(self, request, queryset, step):
        done = skipped = 0
        for refund in queryset:
            try:
                step(refund)
                done += 1
            except ServiceError:
                skipped += 1
        self.message_user(request, f"已处理 {done} 条，跳过 {skipped} 条状态不符的记录", messages.INFO)


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

    list_display = ["id", "day", "kind", "out_trade_no", "out_request_no", "trade_no", "ours", "detail", "created_time"]
    list_filter = ["kind", "day"]
    search_fields = ["out_trade_no", "out_request_no", "trade_no"]
    date_hierarchy = "day"
