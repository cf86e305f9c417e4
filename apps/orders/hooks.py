"""What the orders app tells the apps above it (payments), which listen in their `AppConfig.ready`
(see extension/hooks.py): orders never import them."""

from extension.hooks import Event

# orders_left_unpaid(order_numbers=[…]): sent after the commit that moved these orders from unpaid
# to cancelled or timed out (payments closes their Alipay trades, so they cannot be paid later)
orders_left_unpaid = Event("orders.left_unpaid")

# before_timeout(candidates=<queryset>): a lazy queryset of the overdue unpaid orders (id, user_id,
# order_number, real_price, pay_type) about to time out, outside any transaction and row lock; a
# listener narrows it to those it must look at (one query for the batch); whatever it pays through
# `services.pay_order` is then no longer unpaid and is skipped by the guarded time-out
# (payments asks Alipay about those whose pay link went out: a lost notify is not a time-out)
before_timeout = Event("orders.before_timeout")
