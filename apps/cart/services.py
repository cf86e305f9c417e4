"""The cart's actions and the reads of its lines, on top of `redis_store` (the only code that knows
the Redis layout). Courses are read in one query for the whole cart, never one per line."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from apps.cart import redis_store
from apps.cart.exceptions import CartFull, CourseAlreadyOwned, CourseInUnpaidOrder, CourseNotFound, LineNotInCart
from apps.cart.hooks import unpaid_orders_holding
from apps.course.models import Course
from apps.course.selectors import published_course_ids, published_courses
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


def _addable(user_id: int, course_ids) -> tuple[set[int], set[int]]:
    """The add-to-cart rules before the size limit, for any number of courses in two queries: a
    course may go into a cart when it is published and the user does not own it. Answers (the
    published ones, those of them the user owns)."""
    published = published_course_ids(course_ids)
    return published, owned_course_ids(user_id=user_id, course_ids=published) if published else set()


def _add_within_limit(user_id: int, course_id: int) -> int | None:
    """The size rule, atomic in Redis: the line added (or re-selected) unless the cart would hold
    more than CART_MAX_LINES; answers the number of lines afterwards, None when full."""
    return redis_store.add_line_within_limit(user_id, course_id, limit=settings.CART_MAX_LINES)


def add_to_cart(*, user, course_id: int) -> int:
    """Adds a published course the user does not own, selected; adding it again keeps one line and
    re-selects it. The cart never holds more than CART_MAX_LINES lines, even under concurrent adds.
    A course owned (400) or waiting in an unpaid order (409, naming the order in the message and in
    `data`) is refused here, not only at the final submit. Answers the number of lines afterwards."""
    published, owned = _addable(user.id, [course_id])
    if course_id not in published:
        raise CourseNotFound()
    if course_id in owned:
        raise CourseAlreadyOwned(data={"course_id": course_id})
    order_number = unpaid_orders_holding(user_id=user.id, course_ids=[course_id]).get(course_id)
    if order_number:
        raise CourseInUnpaidOrder(
            f"该课程已在待支付的订单 {order_number} 中，请到「我的订单」支付或取消该订单",
            data={"course_id": course_id, "order_number": order_number},
        )
    total = _add_within_limit(user.id, course_id)
    if total is None:
        raise CartFull(f"购物车最多只能放 {settings.CART_MAX_LINES} 门课程，请先结算或删除部分课程")
    return total


def add_courses(*, user_id: int, course_ids) -> dict:
    """Adds each of `course_ids`, selected, by the add-to-cart rules (published, not owned, within
    the size limit), skipping those the rules refuse instead of failing: putting an ended order's
    courses back (`orders.services.recover_order`). Answers {"cart_total", "added", "skipped"}."""
    course_ids = list(course_ids)
    published, owned = _addable(user_id, course_ids)
    added, cart_total = [], redis_store.cart_total(user_id)
    for course_id in course_ids:
        if course_id not in published or course_id in owned:
            continue
        total = _add_within_limit(user_id, course_id)  # a full cart skips the rest, not an error
        if total is not None:
            added.append(course_id)
            cart_total = total
    return {"cart_total": cart_total, "added": added, "skipped": [c for c in course_ids if c not in added]}


def remove_courses(*, user_id: int, course_ids) -> int:
    """Removes the lines of `course_ids` that are in the cart (the ordered ones, once the order is
    committed); answers how many were there."""
    return redis_store.remove_lines(user_id, course_ids)


def cart_size(*, user_id: int) -> int:
    """Number of lines in the cart, selected or not (the header's badge)."""
    return redis_store.cart_total(user_id)


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


def _published_lines(lines: dict[int, bool]) -> tuple[list[CartLine], list[int]]:
    """`lines` whose course is published, in cart order (one course query for all), and the ids
    of the others."""
    courses = published_courses(lines)
    live = [CartLine(courses[course_id], selected) for course_id, selected in lines.items() if course_id in courses]
    return live, [course_id for course_id in lines if course_id not in courses]


def _live_lines(user_id: int, lines: dict[int, bool]) -> list[CartLine]:
    """`lines` whose course is still published, in cart order; the others are removed from Redis."""
    live, stale = _published_lines(lines)
    redis_store.remove_lines(user_id, stale)
    return live


def _selected(user_id: int) -> dict[int, bool]:
    return {course_id: True for course_id in redis_store.selected_course_ids(user_id)}


def selected_courses(*, user_id: int) -> list[Course]:
    """The published courses among the selected lines, in cart order: what an order is made of and
    what the checkout's coupons are checked against (lines of hidden courses are left out here and
    dropped by the cart and checkout pages)."""
    return [line.course for line in _published_lines(_selected(user_id))[0]]


def saved_lines(*, user_id: int) -> dict[int, bool]:
    """{course_id: selected} of every line, as stored (to put a cart back as it was: demo data)."""
    return redis_store.cart_lines(user_id)


def restore_lines(*, user_id: int, lines: dict[int, bool]) -> None:
    """Puts `saved_lines` back beside what the cart holds, each line with its tick."""
    redis_store.add_lines(user_id, [course_id for course_id, selected in lines.items() if selected], selected=True)
    redis_store.add_lines(user_id, [course_id for course_id, selected in lines.items() if not selected], selected=False)


def empty_cart(*, user_id: int) -> None:
    redis_store.remove_lines(user_id, list(redis_store.cart_lines(user_id)))


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
    lines = _with_unpaid_orders(user.id, _live_lines(user.id, _selected(user.id)))
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
