"""The cart's actions and the reads of its lines, on top of `redis_store` (the only code that knows
the Redis layout). Courses are read in one query for the whole cart, never one per line."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from apps.cart import redis_store
from apps.cart.exceptions import CartFull, CourseAlreadyOwned, CourseInUnpaidOrder, CourseNotFound, LineNotInCart
from apps.cart.hooks import unpaid_orders_holding
from apps.course.models import Course
from apps.course.selectors import is_published, published_courses
from apps.users.selectors import max_usable_credit, owned_course_ids
from extension.money import ZERO, to_money


@dataclass(frozen=True)
class CartLine:
    course: Course
    selected: bool
    unpaid_order: str | None = None  # number of the unpaid order the course waits in


@dataclass(frozen=True)
class Checkout:
    lines: list[CartLine]
    total_price: Decimal
    real_price: Decimal
    max_credit: int
    credit_to_money: int


def add_to_cart(*, user, course_id: int) -> int:
    """Adds a published course the user does not own, selected; adding it again keeps one line and
    re-selects it. The cart never holds more than CART_MAX_LINES lines, even under concurrent adds.
    A course owned (400) or waiting in an unpaid order (409, naming the order in the message and in
    `data`) is refused here, not only at the final submit. Answers the number of lines afterwards."""
    if not is_published(course_id):
        raise CourseNotFound()
    if owned_course_ids(user_id=user.id, course_ids=[course_id]):
        raise CourseAlreadyOwned(data={"course_id": course_id})
    order_number = unpaid_orders_holding(user_id=user.id, course_ids=[course_id]).get(course_id)
    if order_number:
        raise CourseInUnpaidOrder(
            f"该课程已在待支付的订单 {order_number} 中，请到「我的订单」支付或取消该订单",
            data={"course_id": course_id, "order_number": order_number},
        )
    total = redis_store.add_line_within_limit(user.id, course_id, limit=settings.CART_MAX_LINES)
    if total is None:
        raise CartFull(f"购物车最多只能放 {settings.CART_MAX_LINES} 门课程，请先结算或删除部分课程")
    return total


def select_line(*, user, course_id: int, selected: bool) -> int:
    """Ticks or unticks one line already in the cart (never adds one; LineNotInCart otherwise).
    Answers the number of lines."""
    if not redis_store.set_selected(user.id, course_id, selected):
        raise LineNotInCart()
    return redis_store.cart_total(user.id)


def select_all(*, user, selected: bool) -> int:
    """Ticks or unticks every line of the cart, adding and removing none; answers the number of lines."""
    redis_store.set_all_selected(user.id, selected)
    return redis_store.cart_total(user.id)


def remove_line(*, user, course_id: int) -> int:
    """Removes one line (LineNotInCart when it is not there); answers the number of lines left."""
    if not redis_store.remove_lines(user.id, [course_id]):
        raise LineNotInCart()
    return redis_store.cart_total(user.id)


def _live_lines(user_id: int, lines: dict[int, bool]) -> list[CartLine]:
    """`lines` whose course is still published, in cart order; the others are removed from Redis."""
    courses = published_courses(lines)
    stale = [course_id for course_id in lines if course_id not in courses]
    redis_store.remove_lines(user_id, stale)
    return [CartLine(courses[course_id], selected) for course_id, selected in lines.items() if course_id in courses]


def cart_view(*, user) -> list[CartLine]:
    """Every line of the cart with its course (one course query for all lines) and the unpaid order
    it waits in, if any (one query for all lines); lines whose course was unpublished or deleted
    are left out and dropped from Redis."""
    return _with_unpaid_orders(user.id, _live_lines(user.id, redis_store.cart_lines(user.id)))


def _with_unpaid_orders(user_id: int, lines: list[CartLine]) -> list[CartLine]:
    if not lines:
        return lines
    held = unpaid_orders_holding(user_id=user_id, course_ids=[line.course.id for line in lines])
    return [CartLine(line.course, line.selected, held.get(line.course.id)) for line in lines]


def checkout_view(*, user) -> Checkout:
    """The selected lines of published courses with their sums: total at list price, real price
    (activity prices when live) and the largest credit usable without a coupon: the user's, at
    most Σ course.credit, and never more than buys the real price (`/coupon/enable/` answers the
    bound with each coupon)."""
    selected = {course_id: True for course_id in redis_store.selected_course_ids(user.id)}
    lines = _with_unpaid_orders(user.id, _live_lines(user.id, selected))
    courses = [line.course for line in lines]
    real_price = to_money(sum((course.real_price for course in courses), ZERO))
    return Checkout(
        lines=lines,
        total_price=to_money(sum((course.price for course in courses), ZERO)),
        real_price=real_price,
        max_credit=max_usable_credit(
            balance=user.credit, course_credit=sum(course.credit for course in courses), to_pay=real_price
        ),
        credit_to_money=settings.CREDIT_TO_MONEY,
    )
