# ruff: noqa: E402
"""The time-out sweep (`expire_overdue_orders`, what beat runs every minute) over the loaded
overdue orders, then a check that each was given back exactly once.

    python -m bench.sweep [--batch-sizes 500] [--profile]

With several batch sizes the orders are put back into their loaded state (unpaid, credit spent,
coupon records bound, no refund lines) between runs, by plain SQL.
"""

import argparse
import json
import re
from collections import Counter

from bench.common import RESULTS, Timer, setup_django

setup_django()  # before the models are imported

from django.db import connection
from django_redis import get_redis_connection

from apps.coupon import redis_store as coupon_store
from apps.coupon.models import CouponLog
from apps.orders.models import Order
from apps.orders.services import expire_overdue_orders
from apps.users.models import Credit, User

ORDER_NUMBER = re.compile(r"\d{24}")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-sizes", default="500", help="comma-separated, e.g. 500,2000")
    parser.add_argument("--profile", action="store_true", help="pyinstrument the first run into results/")
    args = parser.parse_args(argv)
    runs = []
    for n, batch_size in enumerate(int(size) for size in args.batch_sizes.split(",")):
        reset()  # the loaded state, also after an earlier (partial) run
        runs.append(run(batch_size=batch_size, profile=args.profile and n == 0))
        print(json.dumps(runs[-1], ensure_ascii=False), flush=True)
    return {"runs": runs}


def sweep_users():
    return User.objects.filter(username__startswith="bench_sweep_")


def overdue_orders():
    return Order.objects.filter(user__username__startswith="bench_sweep_")


def run(*, batch_size: int, profile: bool = False) -> dict:
    orders = overdue_orders()
    before = {
        "overdue_unpaid": orders.filter(order_status=Order.Status.UNPAID).count(),
        "other_unpaid": Order.objects.filter(order_status=Order.Status.UNPAID).count()
        - orders.filter(order_status=Order.Status.UNPAID).count(),
        "bound_records": CouponLog.objects.filter(order__in=orders).count(),
    }
    get_redis_connection("coupon").flushdb()
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
    with Timer() as timer:
        moved = expire_overdue_orders(batch_size=batch_size)
    if profiler:
        profiler.stop()
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"sweep-profile-{batch_size}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
    return {
        "batch_size": batch_size,
        "timed_out": moved,
        "seconds": round(timer.seconds, 2),
        "orders_per_s": round(moved / timer.seconds, 1),
        **{f"before_{key}": value for key, value in before.items()},
        "check": check(before),
    }


def check(before: dict) -> dict:
    """Each overdue order timed out and given back exactly once; nothing else touched."""
    orders = overdue_orders()
    statuses = dict(Counter(orders.values_list("order_status", flat=True)))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM fs_users u LEFT JOIN "
            " (SELECT user_id, SUM(credit) s FROM fs_order GROUP BY user_id) o ON o.user_id = u.id "
            "WHERE u.username LIKE 'bench\\_sweep\\_%%' AND u.credit <> COALESCE(o.s, 0)"
        )
        credit_mismatches = cursor.fetchone()[0]
    refunds = Counter(
        match.group()
        for remark in Credit.objects.filter(
            user__username__startswith="bench_sweep_", operation=Credit.Operation.REFUND
        ).values_list("remark", flat=True)
        if (match := ORDER_NUMBER.search(remark))
    )
    with_credit = set(orders.filter(credit__gt=0).values_list("order_number", flat=True))
    released = CouponLog.objects.filter(
        user__username__startswith="bench_sweep_", order__isnull=True, use_status=CouponLog.UseStatus.UNUSED
    ).count()
    in_redis = coupon_store.all_entries()
    redis_records = sum(len(in_redis.get(user_id, ())) for user_id in sweep_users().values_list("pk", flat=True))
    result = {
        "statuses": statuses,
        "left_unpaid": statuses.get(Order.Status.UNPAID, 0),
        "users_with_wrong_credit": credit_mismatches,
        "orders_with_credit": len(with_credit),
        "orders_without_exactly_one_refund_line": sum(1 for number in with_credit if refunds[number] != 1),
        "refund_lines_for_other_orders": sum(count for number, count in refunds.items() if number not in with_credit),
        "records_still_bound": CouponLog.objects.filter(order__in=orders).count(),
        "records_released": released,
        "records_back_in_redis": redis_records,
        "other_unpaid_untouched": Order.objects.filter(order_status=Order.Status.UNPAID).count()
        - statuses.get(Order.Status.UNPAID, 0)
        == before["other_unpaid"],
    }
    result["ok"] = (
        result["left_unpaid"] == 0
        and credit_mismatches == 0
        and result["orders_without_exactly_one_refund_line"] == 0
        and result["refund_lines_for_other_orders"] == 0
        and result["records_still_bound"] == 0
        and released == before["bound_records"] == redis_records
        and result["other_unpaid_untouched"]
    )
    return result


def reset() -> None:
    """Put the overdue orders back as loaded: unpaid, the users' credit spent (0), no refund lines,
    each coupon record bound to its order again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE fs_order o JOIN fs_users u ON u.id = o.user_id SET o.order_status = 0 "
            "WHERE u.username LIKE 'bench\\_sweep\\_%%'"
        )
        cursor.execute("UPDATE fs_users SET credit = 0 WHERE username LIKE 'bench\\_sweep\\_%%'")
        cursor.execute(
            "DELETE c FROM fs_credit c JOIN fs_users u ON u.id = c.user_id WHERE u.username LIKE 'bench\\_sweep\\_%%'"
        )
        cursor.execute(
            "UPDATE fs_coupon_log l JOIN fs_order o ON o.user_coupon_id = l.id JOIN fs_users u ON u.id = o.user_id "
            "SET l.order_id = o.id WHERE u.username LIKE 'bench\\_sweep\\_%%'"
        )


if __name__ == "__main__":
    main()
