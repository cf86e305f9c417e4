# ruff: noqa: E402
"""Load the benchmark's data set into an empty, migrated database with bulk inserts.

    python -m bench.dataset [--orders 200000] [--lister-orders 2000] [--overdue 100000]

- `orders` orders of history (2 details each) over users of 10 orders each, spread over the
  statuses (5 % unpaid and recent, 40 % paid, 30 % cancelled, 25 % timed out), a quarter with a
  coupon, a fifth with credit; `lister-orders` of them belong to one user, `bench_lister`, spread
  over the whole id range as a long-time customer's would be.
- `overdue` unpaid orders created hours ago (older than the benchmark's ORDER_TIMEOUT) for the
  sweep, over `bench_sweep_*` users of 10 orders each: two thirds used 10 to 70 credit (the users'
  balance is 0: they spent it), half hold a bound coupon record. After the sweep each user's credit must be
  the sum of their orders' credit, and no record may stay bound.
- `bench_buyer_*` users (credit 1,000,000, one coupon record each) for the create + cancel run.
"""

import argparse
import time
from datetime import timedelta
from decimal import Decimal

from bench.common import setup_django

setup_django()  # before the models are imported

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from apps.coupon.models import Coupon, CouponLog
from apps.course.models import Course, CourseCategory, CourseDirection
from apps.course.services import catalogue_changed
from apps.orders.models import Order, OrderDetail
from apps.orders.services import listing_changed
from apps.users.models import User

PASSWORD = "bench123456"
ORDERS_PER_USER = 10
OVERDUE_CREDIT = 10
BUYER_CREDIT = 1_000_000
COURSES = 60
CHUNK = 5_000
Status = Order.Status


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--lister-orders", type=int, default=2_000)
    parser.add_argument("--overdue", type=int, default=100_000)
    parser.add_argument("--buyers", type=int, default=20)
    args = parser.parse_args(argv)
    return load(orders=args.orders, lister_orders=args.lister_orders, overdue=args.overdue, buyers=args.buyers)


def load(*, orders: int, lister_orders: int, overdue: int, buyers: int) -> dict:
    if Order.objects.exists():
        raise SystemExit("the benchmark database already holds orders: load into an empty one")
    started = time.monotonic()
    courses = _catalogue()
    coupon = Coupon.objects.create(
        name="bench 减20",
        sale="-20",
        total=10**9,
        has_total=10**9,
        start_time=timezone.now() - timedelta(days=400),
        end_time=timezone.now() + timedelta(days=365),
    )
    password = make_password(PASSWORD)
    lister = _users("bench_lister", 1, password, credit=1000)[0]
    buyer_ids = _users("bench_buyer_", buyers, password, credit=BUYER_CREDIT)
    CouponLog.objects.bulk_create([CouponLog(user_id=user_id, coupon=coupon) for user_id in buyer_ids])
    history_ids = _users("bench_hist_", max(1, (orders - lister_orders) // ORDERS_PER_USER), password, credit=0)
    sweep_ids = _users("bench_sweep_", max(1, overdue // ORDERS_PER_USER), password, credit=0)

    every = max(1, orders // max(1, lister_orders))
    listed = 0

    def history_owner(i):
        nonlocal listed
        if i % every == 0 and listed < lister_orders:
            listed += 1
            return lister
        return history_ids[i % len(history_ids)]

    history = _insert_orders(orders, history_owner, _history_shape, coupon, courses, seq_start=0)
    _spread_history_times(*history)
    overdue_ids = _insert_orders(
        overdue, lambda j: sweep_ids[j % len(sweep_ids)], _overdue_shape, coupon, courses, seq_start=orders
    )
    _spread_overdue_times(*overdue_ids)
    _bind_coupon_records()
    with connection.cursor() as cursor:
        for table in ("fs_order", "fs_order_detail", "fs_coupon_log", "fs_users"):
            cursor.execute(f"ANALYZE TABLE {table}")
            cursor.fetchall()
    summary = {
        "orders_history": orders,
        "orders_lister": Order.objects.filter(user_id=lister).count(),
        "orders_overdue": Order.objects.filter(user_id__in=sweep_ids).count(),
        "orders_total": Order.objects.count(),
        "order_details": OrderDetail.objects.count(),
        "users": User.objects.count(),
        "coupon_records": CouponLog.objects.count(),
        "courses": len(courses),
        "load_seconds": round(time.monotonic() - started, 1),
    }
    print(summary, flush=True)
    return summary


def _catalogue() -> list[Course]:
    direction = CourseDirection.objects.create(name="bench 方向")
    category = CourseCategory.objects.create(name="bench 分类", direction=direction)
    courses = Course.objects.bulk_create(
        [
            Course(
                name=f"bench 课程 {n}",
                price=Decimal(100 + 10 * n),
                credit=50,
                direction=direction,
                category=category,
            )
            for n in range(COURSES)
        ]
    )
    catalogue_changed()  # bulk_create sends no signal
    return courses


def _users(prefix: str, count: int, password: str, *, credit: int) -> list[int]:
    ids = []
    for start in range(0, count, CHUNK):
        names = [prefix if count == 1 else f"{prefix}{n}" for n in range(start, min(count, start + CHUNK))]
        created = User.objects.bulk_create(
            [User(username=name, password=password, nickname=name, credit=credit) for name in names]
        )
        ids += [user.pk for user in created]
    return ids


def _history_shape(i: int) -> tuple[int, int, bool]:
    """(status, credit, has coupon) of the i-th history order."""
    slot = i % 20
    status = (
        Status.UNPAID if slot == 0 else Status.PAID if slot <= 8 else Status.CANCELLED if slot <= 14 else Status.TIMEOUT
    )
    return status, (OVERDUE_CREDIT if i % 5 == 0 else 0), i % 4 == 0


def _overdue_shape(j: int) -> tuple[int, int, bool]:
    return Status.UNPAID, (OVERDUE_CREDIT * (1 + j % 7) if j % 3 else 0), j % 2 == 0


def _insert_orders(count, owner_of, shape_of, coupon, courses, *, seq_start: int) -> tuple[int, int]:
    """Insert `count` orders with their details and coupon records; answers (first id, last id)."""
    first_id = last_id = None
    today = timezone.localdate().strftime("%Y%m%d")
    for start in range(0, count, CHUNK):
        rows = []
        for i in range(start, min(count, start + CHUNK)):
            status, credit, with_coupon = shape_of(i)
            rows.append((i, owner_of(i), status, credit, with_coupon))
        with transaction.atomic():
            logs = CouponLog.objects.bulk_create(
                [
                    CouponLog(
                        user_id=user_id,
                        coupon=coupon,
                        use_status=CouponLog.UseStatus.USED if status == Status.PAID else CouponLog.UseStatus.UNUSED,
                    )
                    for _, user_id, status, _, with_coupon in rows
                    if with_coupon
                ]
            )
            log_ids = iter(log.pk for log in logs)
            orders = []
            for i, user_id, status, credit, with_coupon in rows:
                first, second = courses[i % COURSES], courses[(i + 7) % COURSES]
                total = first.price + second.price
                coupon_discount = Decimal(20) if with_coupon else Decimal(0)
                credit_discount = Decimal(credit) / 10
                orders.append(
                    Order(
                        name=f"购买课程：{first.name}、{second.name}",
                        user_id=user_id,
                        order_number=f"{today}{user_id % 10**8:08d}{(seq_start + i) % 10**8:08d}",
                        order_status=status,
                        total_price=total,
                        real_price=total - coupon_discount - credit_discount,
                        credit=credit,
                        credit_discount=credit_discount,
                        coupon_discount=coupon_discount,
                        user_coupon_id=next(log_ids) if with_coupon else None,
                        trade_no=f"BENCH{seq_start + i}" if status == Status.PAID else "",
                    )
                )
            Order.objects.bulk_create(orders)
            listing_changed(user_ids={order.user_id for order in orders})  # bulk_create sends no signal
            first_id = orders[0].pk if first_id is None else first_id
            last_id = orders[-1].pk
            OrderDetail.objects.bulk_create(
                [
                    OrderDetail(
                        order=order, course=course, name=course.name, price=course.price, real_price=course.price
                    )
                    for n, order in enumerate(orders)
                    for course in (courses[(start + n) % COURSES], courses[(start + n + 7) % COURSES])
                ]
            )
        if (start // CHUNK) % 10 == 9 or start + CHUNK >= count:
            print(f"  {start + len(rows):>7}/{count} orders", flush=True)
    return first_id, last_id


def _spread_history_times(first_id: int, last_id: int) -> None:
    """History over ~140 days, newest id newest; unpaid ones within the last 10 minutes, so they
    are live (not overdue), and paid ones paid a minute after ordering."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE fs_order SET created_time = IF(order_status = 0, "
            " UTC_TIMESTAMP(6) - INTERVAL (id %% 600) SECOND, UTC_TIMESTAMP(6) - INTERVAL (%s - id) * 60 SECOND), "
            "pay_time = IF(order_status = 1, created_time + INTERVAL 60 SECOND, NULL) WHERE id BETWEEN %s AND %s",
            [last_id, first_id, last_id],
        )


def _spread_overdue_times(first_id: int, last_id: int) -> None:
    """Overdue orders: created between 2 and ~30 hours ago (the bench's ORDER_TIMEOUT is 1 hour)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE fs_order SET created_time = UTC_TIMESTAMP(6) - INTERVAL 2 HOUR - INTERVAL (%s - id) SECOND "
            "WHERE id BETWEEN %s AND %s",
            [last_id, first_id, last_id],
        )


def _bind_coupon_records() -> None:
    """A coupon record points at the live or paid order that holds it (used ones are USED)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE fs_coupon_log l JOIN fs_order o ON o.user_coupon_id = l.id "
            "SET l.order_id = o.id WHERE o.order_status IN (0, 1)"
        )


if __name__ == "__main__":
    setup_django()
    main()
