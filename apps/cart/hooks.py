"""What the cart asks the orders app (a higher layer), answered by the selector orders connects in
its `AppConfig.ready` (see extension/hooks.py)."""

from extension.hooks import Hook

# unpaid_orders_holding(user_id=…, course_ids=[…]) -> {course_id: order_number} for the courses
# that wait in an unpaid order of the user (SPEC §4b: at most one order per course)
unpaid_orders_holding = Hook("cart.unpaid_orders_holding", default=lambda *, user_id, course_ids: {})
