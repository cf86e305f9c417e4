"""Reads of orders that views, payments and the admin share."""

import functools
import logging
from decimal import Decimal

from django.db import connection, models
from django.db.models import Case, CharField, DecimalField, F, Value, When
from django.utils import timezone
from redis.exceptions import RedisError

from apps.coupon.models import Coupon, CouponLog
from apps.course.models import Course
from apps.orders import redis_store
from apps.orders.exceptions import OrderNotFound
from apps.orders.models import Order, OrderDetail
from apps.users.selectors import RECORD_COLUMNS, owned_course_ids
from extension.statements import Statement

logger = logging.getLogger("fsapi.orders")

# --- "my orders" ---------------------------------------------------------------------------
# In plain SQL: through the ORM, building, compiling and converting the listing's queries cost
# twice what the database spent on them (bench/RESULTS.md). The SQL is generated from the column
# maps below (names, tables and quoting from the models and the connection), and
# test_order_list.py checks the answer against the schema's serializer on SQLite and MariaDB.

VISIBLE = {"is_deleted": False, "is_show": True}  # what `visible_orders` adds to the user's orders

# (table alias, model, field names, row key prefix): the SELECT list and the row keys in one place
ORDER_FIELDS = (
    ("o", Order, ("id", "order_number", "total_price", "real_price", "pay_time", "created_time", "credit",
                  "pay_type", "order_status", "credit_discount", "coupon_discount", "user_coupon_id"), ""),
    ("c", Coupon, ("id", "name", "sale", "discount", "condition"), "coupon__"),
)  # fmt: skip
ORDER_LINE_FIELDS = (
    ("d", OrderDetail, ("id", "price", "real_price", "discount_name", "course_id", "name"), ""),
    ("course", Course, ("course_cover",), ""),
)


def visible_orders(user):
    """The user's own orders, as the user may see them (not deleted, shown)."""
    return Order.objects.filter(user=user, **VISIBLE)


# the order of PUT/DELETE /order/<id>/ and the payment pages, by id: compiled once
USER_ORDER_BY_ID = Statement(lambda user_id, order_id: Order.objects.filter(user_id=user_id, pk=order_id, **VISIBLE))


def get_user_order(*, user, order_id: int | None = None, order_number: str | None = None) -> Order:
    """The user's own visible order by id or number; someone else's or a missing one is a 404
    (never 403, so ids cannot be probed)."""
    if order_id is not None:
        order = USER_ORDER_BY_ID.first(user_id=user.pk, order_id=order_id)
    else:
        order = visible_orders(user).filter(order_number=order_number).first()
    if order is None:
        raise OrderNotFound()
    return order


def user_order_exists(*, user_id: int, order_id: int) -> bool:
    """Whether `order_id` is one of the user's visible orders (what get_user_order finds)."""
    return USER_ORDER_BY_ID.first(user_id=user_id, order_id=order_id) is not None


def get_order_by_number(order_number: str) -> Order | None:
    """Any order with this number — deleted or hidden ones too: money Alipay reports for it must
    still be recorded. Only for Alipay's signed messages; customers go through get_user_order."""
    if not order_number or len(order_number) > 64:
        return None
    return Order.objects.filter(order_number=order_number).first()


class ListingColumns:
    """One side of a listing row (the order with its coupon, or one order line): its SELECT list,
    its row keys in the same order, and which of them need converting to Decimal or aware times."""

    def __init__(self, field_groups):
        quote = connection.ops.quote_name
        self.select, self.keys, self.money, self.times = [], [], [], []
        for alias, model, names, prefix in field_groups:
            for name in names:
                field = model._meta.get_field(name)
                self.select.append(f"{alias}.{quote(field.column)}")
                self.keys.append(prefix + name)
                if isinstance(field, models.DecimalField):
                    self.money.append(prefix + name)
                elif isinstance(field, models.DateTimeField):
                    self.times.append(prefix + name)

    def row(self, values, tz) -> dict:
        """Values typed as the ORM would give them: money as Decimal (SQLite answers floats) and
        times aware in `tz`, the connection's time zone (both databases answer naive UTC)."""
        row = dict(zip(self.keys, values, strict=True))
        for name in self.money:
            if row[name] is not None and not isinstance(row[name], Decimal):
                row[name] = Decimal(str(row[name]))
        for name in self.times:
            if row[name] is not None:
                row[name] = timezone.make_aware(row[name], tz)
        return row


# quoted names, per process (one database): a listing request builds its WHERE from them
@functools.cache
def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@functools.cache
def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


@functools.cache
def _listing_sql() -> tuple[ListingColumns, ListingColumns, str]:
    """The order and line columns and the page query (built once, for this connection's SQL)."""
    orders, lines = ListingColumns(ORDER_FIELDS), ListingColumns(ORDER_LINE_FIELDS)
    # the page's ids first (from the index alone, however deep the page), then a row per order line
    # with its order, coupon and course; an order without lines has one row, its line columns NULL
    page_sql = f"""
        SELECT {", ".join(orders.select + lines.select)}
        FROM (SELECT o.id FROM {_table(Order)} o WHERE {{where}} ORDER BY o.id DESC LIMIT %s OFFSET %s) page_ids
        JOIN {_table(Order)} o ON o.id = page_ids.id
        LEFT JOIN {_table(CouponLog)} l ON l.id = o.{_column(Order, "user_coupon")}
        LEFT JOIN {_table(Coupon)} c ON c.id = l.{_column(CouponLog, "coupon")}
        LEFT JOIN {_table(OrderDetail)} d ON d.{_column(OrderDetail, "order")} = o.id
        LEFT JOIN {_table(Course)} course ON course.id = d.{_column(OrderDetail, "course")}
    """  # no ORDER BY: a page's few rows are sorted here (MariaDB would build a temporary table)
    return orders, lines, page_sql


def order_list(*, user, status=None, order_number=None, created_from=None, created_before=None) -> "OrderRows":
    """ "My orders" (visible ones), newest first, for the paginator: see OrderRows."""
    where = [f"o.{_column(Order, name)} = %s" for name in ("user", *VISIBLE)]
    params = [user.pk, *VISIBLE.values()]
    if status is not None:
        where.append(f"o.{_column(Order, 'order_status')} = %s")
        params.append(status)
    if order_number:
        where.append(f"o.{_column(Order, 'order_number')} {connection.operators['startswith']}")
        params.append(connection.ops.prep_for_like_query(order_number) + "%")
    if created_from is not None:
        where.append(f"o.{_column(Order, 'created_time')} >= %s")
        params.append(connection.ops.adapt_datetimefield_value(created_from))
    if created_before is not None:
        where.append(f"o.{_column(Order, 'created_time')} < %s")
        params.append(connection.ops.adapt_datetimefield_value(created_before))
    unfiltered = status is None and not order_number and created_from is None and created_before is None
    return OrderRows(" AND ".join(where), params, counted_user_id=user.pk if unfiltered else None)


class OrderRows:
    """What the paginator reads (a count, then one slice): a page is a list of order rows, each
    with its coupon's fields (`coupon__…`, None when it used none) and its `order_courses`, in
    two queries whatever the page size. Values are typed as the ORM would give them. The count
    of the unfiltered listing (the default tab) is kept in Redis until the user's visible orders
    change (redis_store, `services.listing_changed`): it is the one query that grows with them."""

    def __init__(self, where: str, params: list, *, counted_user_id: int | None = None):
        self.where, self.params, self.counted_user_id = where, params, counted_user_id

    def count(self) -> int:
        if self.counted_user_id is None:
            return self._count()
        try:
            token, count = redis_store.listing_count(self.counted_user_id)
        except (RedisError, OSError):
            logger.warning("order count not in Redis, counting in the database", exc_info=True)
            return self._count()
        if count is None:
            count = self._count()
            try:
                redis_store.keep_listing_count(self.counted_user_id, token, count)
            except (RedisError, OSError):
                logger.warning("could not keep the order count", exc_info=True)
        return count

    def _count(self) -> int:
        return _fetch(f"SELECT COUNT(*) FROM {_table(Order)} o WHERE {self.where}", self.params)[0][0]

    def page_query(self, page: slice) -> tuple[str, list]:
        return _listing_sql()[2].format(where=self.where), [*self.params, page.stop - page.start, page.start]

    def __getitem__(self, page: slice) -> list[dict]:
        order_columns, line_columns, _ = _listing_sql()
        width, tz = len(order_columns.keys), connection.timezone
        orders: dict[int, dict] = {}
        # newest order first, its lines by id
        for row in sorted(_fetch(*self.page_query(page)), key=lambda row: (-row[0], row[width] or 0)):
            order = orders.get(row[0])
            if order is None:
                order = orders[row[0]] = order_columns.row(row[:width], tz)
                order["order_courses"] = []
            if row[width] is not None:
                order["order_courses"].append(line_columns.row(row[width:], tz))
        return list(orders.values())


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- what other apps ask about a user's orders ----------------------------------------------


UNPAID_ORDER_NUMBERS = Statement(
    lambda user_id, course_ids: (
        OrderDetail.objects.filter(
            order__user_id=user_id, order__order_status=Order.Status.UNPAID, course_id__in=course_ids
        )
        .order_by("order_id")
        .values_list("course_id", "order__order_number")
    )
)


def unpaid_order_numbers(*, user_id: int, course_ids) -> dict[int, str]:
    """{course_id: order_number} for those of `course_ids` waiting in an unpaid order of the user,
    in one query (the newest order wins, should a course ever wait in two). Every cart add asks."""
    return dict(UNPAID_ORDER_NUMBERS.rows(user_id=user_id, course_ids=list(course_ids)))


def course_viewer_state(*, user_id: int, course_id: int) -> dict:
    """What the course page tells a logged-in viewer (connected to apps.course.hooks.viewer_state)."""
    return {
        "owned": bool(owned_course_ids(user_id=user_id, course_ids=[course_id])),
        "unpaid_order": unpaid_order_numbers(user_id=user_id, course_ids=[course_id]).get(course_id),
    }


def paid_orders_of_courses(*, user_id: int, course_ids) -> dict[int, dict]:
    """{course_id: {"order_number", "pay_time"}}: the paid order that bought each of the courses
    (the latest, should there be two), in one query; courses granted without an order are absent."""
    rows = (
        OrderDetail.objects.filter(
            order__user_id=user_id, order__order_status=Order.Status.PAID, course_id__in=list(course_ids)
        )
        .order_by("order__pay_time", "order_id")
        .values_list("course_id", "order__order_number", "order__pay_time")
    )
    return {course_id: {"order_number": number, "pay_time": pay_time} for course_id, number, pay_time in rows}


def payment_records(*, user_id: int):
    """The user's order payments as rows of the 消费记录 timeline (see apps/usercenter): every order
    that was paid (pay_time set, also one refunded later) for more than 0.00, the amount negative
    (money that left the user). An unevaluated values() queryset, to be combined with others."""
    channel = Case(
        When(pay_type=Order.PayType.BALANCE, then=Value("balance")),
        When(pay_type=Order.PayType.WECHAT, then=Value("wechat")),
        default=Value("alipay"),
        output_field=CharField(),
    )
    return (
        Order.objects.filter(user_id=user_id, pay_time__isnull=False, real_price__gt=0)
        .annotate(
            r_time=F("pay_time"),
            r_kind=Value("payment", output_field=CharField()),
            r_amount=Value(0, output_field=DecimalField(max_digits=10, decimal_places=2)) - F("real_price"),
            r_channel=channel,
            r_order_number=F("order_number"),
            r_remark=F("name"),
            r_id=F("id"),
        )
        .values(*RECORD_COLUMNS)
    )
