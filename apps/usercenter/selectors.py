"""我的消费记录: one timeline from several ledgers, each source a selector of the app that owns it."""

from django.db import connection

from apps.orders.selectors import payment_records
from apps.payments.selectors import refund_records
from apps.users.selectors import MONEY_RECORD_KINDS, money_records

RECORD_KINDS = ("payment", *MONEY_RECORD_KINDS.values())


def consumption_records(*, user_id: int, kind: str | None = None) -> "Timeline":
    """The user's money records, newest first, for the paginator: see Timeline."""
    sources = []
    if kind in (None, "payment"):
        sources.append(payment_records(user_id=user_id))
    if kind is None or kind in MONEY_RECORD_KINDS.values():
        sources.append(money_records(user_id=user_id, kinds=None if kind is None else {kind}))
    if kind in (None, "refund"):
        sources.append(refund_records(user_id=user_id))
    return Timeline([source.order_by() for source in sources])  # a UNION's parts may not sort themselves


class Timeline:
    """What the paginator reads (a count, then one slice). A page is ONE SQL query: a UNION ALL of
    the sources, sorted by (time, kind, id) — a total order — and sliced by the database, so deep
    pages stay exact (no source is cut short before the merge, as merging the first page × size
    rows of each source in Python would risk) and rows never move between pages. The count is one
    COUNT per source, each on its own index: a COUNT over the union would first build the whole
    union (bench: 204 ms against 2 × ~5 ms for 20k records on MariaDB). Rows are dicts keyed by
    apps.users.selectors.RECORD_COLUMNS."""

    ORDER = ("-r_time", "-r_kind", "-r_id")

    def __init__(self, sources: list):
        self.sources = sources

    def count(self) -> int:
        return sum(source.count() for source in self.sources)

    def __getitem__(self, page: slice) -> list[dict]:
        if page.stop <= page.start:  # the one empty page of an empty list
            return []
        parts = self.sources
        if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
            # MariaDB: each part sorted and cut at the page's end first (the page's rows are among
            # the first `stop` of some source), so a shallow page reads a few rows per source
            parts = [part.order_by(*self.ORDER)[: page.stop] for part in parts]
        combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        return list(combined.order_by(*self.ORDER)[page])
