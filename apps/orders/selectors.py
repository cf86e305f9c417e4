"""Reads of orders that views, payments and the admin share."""

from decimal import Decimal

from django.db import connection
from django.utils import timezone

from apps.orders.exceptions import OrderNotFound
from apps.orders.models import Order


def visible_orders(user):
    """The user's own orders, as the user may see them (not deleted, shown)."""
    return Order.objects.filter(user=user, is_deleted=False, is_show=True)


def get_user_order(*, user, order_id: int | None = None, order_number: str | None = None) -> Order:
    """The user's own visible order by id or number; someone else's or a missing one is a 404
    (never 403, so ids cannot be probed)."""
    lookup = {"pk": order_id} if order_id is not None else {"order_number": order_number}
    order = visible_orders(user).filter(**lookup).first()
    if order is None:
        raise OrderNotFound()
    return order


def get_order_by_number(order_number: str) -> Order | None:
    """Any order with this number — deleted or hidden ones too: money Alipay reports for it must
    still be recorded. Only for Alipay's signed messages; customers go through get_user_order."""
    if not order_number or len(order_number) > 64:
        return None
    return Order.objects.filter(order_number=order_number).first()


# --- "my orders" ---------------------------------------------------------------------------
# In plain SQL: through the ORM, building, compiling and converting the listing's queries cost
# twice what the database spent on them (bench/RESULTS.md). `visible_orders` in SQL is the first
# three conditions; test_order_list.py checks the answer against the serializer it replaced.

ORDER_COLUMNS = (
    "id", "order_number", "total_price", "real_price", "pay_time", "created_time", "credit", "pay_type",
    "order_status", "credit_discount", "coupon_discount", "user_coupon_id",
    "coupon__id", "coupon__name", "coupon__sale", "coupon__discount", "coupon__condition",
)  # fmt: skip
ORDER_COURSE_COLUMNS = ("id", "price", "real_price", "discount_name", "course_id", "name", "course_cover")
# The page's ids first (from the index alone, however deep the page), then a row per order line
# with its order, coupon and course; an order without lines has one row, its line columns NULL.
ORDER_PAGE_SQL = """
    SELECT o.id, o.order_number, o.total_price, o.real_price, o.pay_time, o.created_time, o.credit, o.pay_type,
           o.order_status, o.credit_discount, o.coupon_discount, o.user_coupon_id,
           c.id, c.name, c.sale, c.discount, c.`condition`,
           d.id, d.price, d.real_price, d.discount_name, d.course_id, d.name, course.course_cover
    FROM (SELECT o.id FROM fs_order o WHERE {where} ORDER BY o.id DESC LIMIT %s OFFSET %s) page_ids
    JOIN fs_order o ON o.id = page_ids.id
    LEFT JOIN fs_coupon_log l ON l.id = o.user_coupon_id
    LEFT JOIN fs_coupon c ON c.id = l.coupon_id
    LEFT JOIN fs_order_detail d ON d.order_id = o.id
    LEFT JOIN fs_course course ON course.id = d.course_id
    ORDER BY o.id DESC, d.id
"""  # backticks: `condition` is a keyword in MariaDB; SQLite reads them too
MONEY_COLUMNS = ("total_price", "real_price", "credit_discount", "coupon_discount", "coupon__condition", "price")


def order_list(*, user, status=None, order_number=None, created_from=None, created_before=None) -> "OrderRows":
    """ "My orders" (visible ones), newest first, for the paginator: see OrderRows."""
    where, params = ["o.user_id = %s", "o.is_deleted = %s", "o.is_show = %s"], [user.pk, False, True]
    if status is not None:
        where.append("o.order_status = %s")
        params.append(status)
    if order_number:
        where.append(f"o.order_number {connection.operators['startswith']}")
        params.append(connection.ops.prep_for_like_query(order_number) + "%")
    if created_from is not None:
        where.append("o.created_time >= %s")
        params.append(connection.ops.adapt_datetimefield_value(created_from))
    if created_before is not None:
        where.append("o.created_time < %s")
        params.append(connection.ops.adapt_datetimefield_value(created_before))
    return OrderRows(" AND ".join(where), params)


class OrderRows:
    """What the paginator reads (a count, then one slice): a page is a list of order rows, each
    with its coupon's fields (`coupon__…`, None when it used none) and its `order_courses`, in
    two queries whatever the page size. Values are typed as the ORM would give them."""

    def __init__(self, where: str, params: list):
        self.where, self.params = where, params

    def count(self) -> int:
        return _fetch(f"SELECT COUNT(*) FROM fs_order o WHERE {self.where}", self.params)[0][0]

    def page_query(self, page: slice) -> tuple[str, list]:
        return ORDER_PAGE_SQL.format(where=self.where), [*self.params, page.stop - page.start, page.start]

    def __getitem__(self, page: slice) -> list[dict]:
        orders: dict[int, dict] = {}
        for row in _fetch(*self.page_query(page)):
            order_part, line_part = row[: len(ORDER_COLUMNS)], row[len(ORDER_COLUMNS) :]
            order = orders.get(row[0])
            if order is None:
                order = orders[row[0]] = _typed(dict(zip(ORDER_COLUMNS, order_part, strict=True)))
                order["order_courses"] = []
            if line_part[0] is not None:
                order["order_courses"].append(_typed(dict(zip(ORDER_COURSE_COLUMNS, line_part, strict=True))))
        return list(orders.values())


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _typed(row: dict) -> dict:
    """Money as Decimal (SQLite answers floats) and times aware (both databases answer naive UTC)."""
    for name in MONEY_COLUMNS:
        if row.get(name) is not None and not isinstance(row[name], Decimal):
            row[name] = Decimal(str(row[name]))
    for name in ("pay_time", "created_time"):
        if row.get(name) is not None:
            row[name] = timezone.make_aware(row[name], connection.timezone)
    return row
