from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from apps.orders.exceptions import OrderNotCancellable
from apps.orders.models import Order, OrderDetail
from apps.orders.services import cancel_order, cancel_orders

MONEY_FIELDS = ["total_price", "real_price", "credit", "credit_discount", "coupon_discount"]


class OrderDetailInline(admin.TabularInline):
    model = OrderDetail
    extra = 0
    can_delete = False
    fields = ["course", "name", "price", "real_price", "discount_name"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "order_number", "user", "total_price", "real_price", "order_status", "pay_type", "created_time", "pay_time",
        "deleted_by_customer",
    ]  # fmt: skip
    list_filter = ["order_status", "pay_type", "is_deleted"]
    search_fields = ["order_number", "user__username", "user__mobile", "trade_no"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "user_coupon"]
    # the status and the money only change through apps/orders/services.py
    readonly_fields = [
        "order_number", "user", "order_status", "pay_type", *MONEY_FIELDS, "user_coupon", "pay_time", "trade_no",
        "created_time", "updated_time",
    ]  # fmt: skip
    fields = readonly_fields[:-2] + ["name", "is_show", "is_deleted", "created_time", "updated_time"]
    inlines = [OrderDetailInline]
    actions = ["cancel_selected_unpaid"]
    date_hierarchy = "created_time"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        """Orders are records of money: never hard-deleted here (nor the "delete selected" action,
        which Django offers only with this permission). A customer's delete only hides theirs."""
        return False

    @admin.display(description="用户已删除", boolean=True, ordering="is_deleted")
    def deleted_by_customer(self, order) -> bool:
        return order.is_deleted

    def get_urls(self):
        cancel = self.admin_site.admin_view(require_POST(self.cancel_view))
        return [path("<path:object_id>/cancel/", cancel, name="orders_order_cancel"), *super().get_urls()]

    def cancel_view(self, request, object_id):
        """The change page's 取消订单 button: the same service as the customer's cancel and the
        list action (credit and coupon back exactly once); a paid or closed order is left alone."""
        order = get_object_or_404(Order, pk=object_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        try:
            cancel_order(order_id=order.pk)
        except OrderNotCancellable:
            self.message_user(request, f"订单 {order.order_number} 不是未支付状态，未取消。", messages.WARNING)
        else:
            self.log_change(request, order, "取消订单（退还积分和优惠券）")
            self.message_user(request, f"订单 {order.order_number} 已取消，积分和优惠券已退还。", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "can_cancel_order": order is not None
            and order.order_status == Order.Status.UNPAID
            and self.has_change_permission(request, order),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="取消所选的未支付订单（退还积分和优惠券）")
    def cancel_selected_unpaid(self, request, queryset):
        cancelled = cancel_orders(order_ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - cancelled
        self.message_user(
            request,
            f"已取消 {cancelled} 个订单，积分和优惠券已退还；{skipped} 个订单不是未支付状态，未处理。",
            messages.SUCCESS if cancelled else messages.WARNING,
        )


@admin.register(OrderDetail)
class OrderDetailAdmin(admin.ModelAdmin):
    list_display = ["id", "order", "name", "price", "real_price", "discount_name"]
    search_fields = ["order__order_number", "name"]
    list_select_related = ["order"]
    readonly_fields = ["order", "course", "name", "price", "real_price", "discount_name"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
