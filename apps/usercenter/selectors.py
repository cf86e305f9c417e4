"""我的消费记录: one timeline from several ledgers, each source a selector of the app that owns it."""

from apps.orders.selectors import payment_records
from apps.users.selectors import MONEY_RECORD_KINDS, money_records

RECORD_KINDS = ("payment", *MONEY_RECORD_KINDS.values())


def consumption_records(*, user_id: int, kind: str | None = None):
    """The user's money records, newest first, as ONE SQL query (a UNION ALL of the sources, sorted
    and sliced by the database): a page costs a count and a select whatever its size or depth, and
    deep pages stay exact — no source is cut short before the merge, unlike merging the first
    page × size rows of each source in Python. The sort key (time, kind, id) is total, so rows
    never move between pages. Rows are dicts keyed by apps.users.selectors.RECORD_COLUMNS."""
    sources = []
    if kind in (None, "payment"):
        sources.append(payment_records(user_id=user_id))
    if kind is None or kind in MONEY_RECORD_KINDS.values():
        sources.append(money_records(user_id=user_id, kinds=None if kind is None else {kind}))
    sources = [source.order_by() for source in sources]  # a UNION's parts may not sort themselves
    combined = sources[0].union(*sources[1:], all=True) if len(sources) > 1 else sources[0]
    return combined.order_by("-r_time", "-r_kind", "-r_id")
