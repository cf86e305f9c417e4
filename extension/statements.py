"""Hot reads whose SQL the ORM writes once per process and shape, then runs with new ids.

Building and compiling a QuerySet costs about 0.3 ms of CPU, several times what the database
spends on a lookup by key (bench/RESULTS.md: 350 µs for `User.objects.get(pk=…)` against 80 µs
for running its SQL), and the checkout runs some twenty of them per order. A `Statement` is made
from a function that builds the QuerySet from integer parameters (an id, or a list of ids for
`__in`); the first call of each shape (the lengths of the lists) builds it with marker ids,
compiles it, and remembers where each marker went; later calls put their ids there and run the
same SQL. The SQL is the ORM's own, so it is what the QuerySet would run on every backend, and
the rows come back as the QuerySet gives them: model instances (`from_db`), `values_list` tuples
or flat values, with the backend's converters applied.

An `UpdateStatement` does the same for a guarded `QuerySet.update()` (the credit ledger's F()
updates, a coupon record's bind): `build` answers the QuerySet and the values to set.

For plain queries only, checked when first compiled: one model's own columns (no
select_related, prefetch, annotation or extra), and integers among the parameters (ids, credit
amounts), never dates, decimals or strings (the ORM may rewrite those before they reach the SQL).
"""

import threading

from django.db import connections, router, transaction
from django.db.models import sql as orm_sql
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable
from django.db.transaction import TransactionManagementError

# markers: distinct ids no query of the shop holds as a constant, inside a 32-bit column's range
# (the ORM answers "no rows" without a query for a value out of a column's range)
MARKER_BASE = 2_147_000_000
ID_RANGE = range(-(2**63), 2**63)  # what a BIGINT holds; anything else matches no row, as in the ORM
# lists longer than this (a sweep's batch) are compiled each time, not kept: one kept SQL per
# length would grow with every batch size, and a long batch pays its compile back anyway
MAX_KEPT_LIST = 64


class _Prepared:
    """What both kinds share: the parameters' shape, the markers, the kept SQL per shape."""

    def __init__(self, build):
        self._build = build
        self._compiled: dict = {}
        self._lock = threading.Lock()

    def _prepare(self, params: dict) -> tuple["_Compiled | None", dict]:
        """The compiled SQL for these parameters' shape and their values by name; (None, …) when
        a list is empty or an id is out of a BIGINT's range (nothing can match)."""
        values, shape = {}, []
        for name, value in sorted(params.items()):
            if isinstance(value, int):
                ids = [value]
            else:
                ids = sorted(set(value))
                shape.append((name, len(ids)))
            if not ids or not all(isinstance(i, int) and i in ID_RANGE for i in ids):
                return None, values
            values[name] = ids
        shape = tuple(shape)
        compiled = self._compiled.get(shape)
        if compiled is None:
            with self._lock:
                arguments, slots = self._marker_params(params, dict(shape))
                compiled = self._compile(arguments, slots)
            if all(length <= MAX_KEPT_LIST for _, length in shape):
                self._compiled[shape] = compiled
        return compiled, values

    @staticmethod
    def _marker_params(params: dict, lengths: dict) -> tuple[dict, dict]:
        """Marker arguments for `build`, and marker → (parameter name, position in its list)."""
        arguments, slots, n = {}, {}, 0
        for name in params:
            length = lengths.get(name)
            markers = list(range(MARKER_BASE + n, MARKER_BASE + n + (length or 1)))
            n += len(markers)
            slots.update({marker: (name, i) for i, marker in enumerate(markers)})
            arguments[name] = markers if length is not None else markers[0]
        return arguments, slots

    @staticmethod
    def _places(marker_values, slots: dict) -> list:
        """Where each parameter of the compiled SQL comes from: a marker's slot, or None (a
        constant of the query, kept as compiled)."""
        places = [slots.get(value) if type(value) is int else None for value in marker_values]
        if set(filter(None, places)) != set(slots.values()):
            raise ValueError("Statement: a parameter did not reach the SQL as it was given")
        baked = [value for value, place in zip(marker_values, places, strict=True) if place is None]
        if any(value is not None and not isinstance(value, int) for value in baked):
            # a date, a text or an amount evaluated once, when built (`updated_time=timezone.now()`
            # reaches the SQL as a string), would be sent again on every call: those need the ORM
            raise ValueError("Statement: a value other than an id or a constant would be kept")
        return places

    @staticmethod
    def _check_plain(queryset) -> None:
        query = queryset.query
        if query.select_related or queryset._prefetch_related_lookups or query.annotations or query.extra:
            raise ValueError("Statement: only one model's own columns (no joins fetched, no annotations)")


class Statement(_Prepared):
    """A read: `build(**params)` answers the QuerySet."""

    def rows(self, **params) -> list:
        """Every row, as the QuerySet would give them. A list parameter is a set of ids (order
        and repeats do not matter, as with `__in`); an empty one, or an id no BIGINT holds, match
        nothing."""
        compiled, values = self._prepare(params)
        return compiled.run(connections[compiled.alias], values) if compiled else []

    def first(self, **params):
        rows = self.rows(**params)
        return rows[0] if rows else None

    def _compile(self, arguments: dict, slots: dict) -> "_Compiled":
        queryset = self._build(**arguments)
        self._check_plain(queryset)
        iterable = queryset._iterable_class
        if iterable not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
            raise ValueError(f"Statement: {iterable.__name__} rows are not supported")
        alias = router.db_for_read(queryset.model)
        compiler = queryset.query.get_compiler(using=alias)
        # as the ORM: FOR UPDATE outside a transaction is an error where it means something
        for_update = bool(queryset.query.select_for_update) and connections[alias].features.has_select_for_update
        if for_update and connections[alias].get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        sql, marker_values = compiler.as_sql()
        columns = [column for column, _, _ in compiler.select]
        return _Compiled(
            alias=alias,
            sql=sql,
            constants=list(marker_values),
            places=self._places(marker_values, slots),
            converters=compiler.get_converters(columns),
            model=queryset.model if iterable is ModelIterable else None,
            attnames=[column.target.attname for column in columns] if iterable is ModelIterable else None,
            flat=iterable is FlatValuesListIterable,
            for_update=for_update,
        )


class UpdateStatement(_Prepared):
    """A write: `build(**params)` answers (QuerySet, {field: value}) as `QuerySet.update` takes them."""

    def update(self, **params) -> int:
        """Rows changed (matched, as `QuerySet.update` counts them), 0 when nothing can match."""
        compiled, values = self._prepare(params)
        if compiled is None:
            return 0
        connection = connections[compiled.alias]
        with transaction.mark_for_rollback_on_error(using=compiled.alias), connection.cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params(values))
            return cursor.rowcount

    def _compile(self, arguments: dict, slots: dict) -> "_Compiled":
        queryset, new_values = self._build(**arguments)
        self._check_plain(queryset)
        if queryset.query.is_sliced or queryset.query.combinator:
            raise ValueError("Statement: update of a sliced or combined query")
        alias = router.db_for_write(queryset.model)
        query = queryset.query.chain(orm_sql.UpdateQuery)
        query.add_update_values(new_values)
        query.annotations = {}
        query.get_initial_alias()
        if query.count_active_tables() != 1:  # the ORM would first read the ids (MySQL), with the markers
            raise ValueError("Statement: update filtered through another table")
        compiler = query.get_compiler(using=alias)
        sql, marker_values = compiler.as_sql()
        if query.related_updates:
            raise ValueError("Statement: update of an inherited model's parent table")
        return _Compiled(alias=alias, sql=sql, constants=list(marker_values), places=self._places(marker_values, slots))


class _Compiled:
    def __init__(self, *, alias, sql, constants, places, converters=None, model=None, attnames=None, flat=False,
                 for_update=False):  # fmt: skip
        self.alias, self.sql, self.constants, self.places = alias, sql, constants, places
        self.converters = list((converters or {}).items())
        self.model, self.attnames, self.flat, self.for_update = model, attnames, flat, for_update

    def params(self, values: dict) -> list:
        return [
            constant if place is None else values[place[0]][place[1]]
            for constant, place in zip(self.constants, self.places, strict=True)
        ]

    def run(self, connection, values: dict) -> list:
        if self.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params(values))
            rows = cursor.fetchall()
        if self.converters:
            rows = [self._convert(list(row), connection) for row in rows]
        if self.model is not None:
            return [self.model.from_db(connection.alias, self.attnames, row) for row in rows]
        if self.flat:
            return [row[0] for row in rows]
        return [tuple(row) for row in rows]

    def _convert(self, row: list, connection) -> list:
        for position, (functions, expression) in self.converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        return row
