from django.contrib import admin, messages

from apps.orders.models import Order, OrderDetail
from apps.orders.services import cancel_orders

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
