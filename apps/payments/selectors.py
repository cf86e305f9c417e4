from apps.orders.models import Order


def find_order(order_number: str) -> Order | None:
    """Any order with this number — deleted or hidden ones too: Alipay's money for it must still be
    recorded. Only for Alipay's signed messages; customers go through orders.selectors.get_user_order."""
    if not order_number or len(order_number) > 64:
        return None
    return Order.objects.filter(order_number=order_number).first()
