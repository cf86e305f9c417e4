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

For plain queries only, checked when first compiled: one model's own columns (no
select_related, prefetch, annotation or extra), and ids among the parameters, never dates or
strings (the ORM may rewrite those before they reach the SQL).
"""

import threading

from django.db import connections, router
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable
from django.db.transaction import TransactionManagementError

# markers: distinct ids no query of the shop holds as a constant, inside a 32-bit column's range
# (the ORM answers "no rows" without a query for a value out of a column's range)
MARKER_BASE = 2_147_000_000
ID_RANGE = range(-(2**63), 2**63)  # what a BIGINT holds; anything else matches no row, as in the ORM
# lists longer than this (a sweep's batch) are compiled each time, not kept: one kept SQL per
# length would grow with every batch size, and a long batch pays its compile back anyway
MAX_KEPT_LIST = 64


class Statement:
    def __init__(self, build):
        self._build = build
        self._compiled: dict = {}
        self._lock = threading.Lock()

    def rows(self, **params) -> list:
        """Every row, as the QuerySet would give them. A list parameter is a set of ids (order
        and repeats do not matter, as with `__in`); an empty one, or an id no BIGINT holds, match
        nothing."""
        values, shape = {}, []
        for name, value in sorted(params.items()):
            if isinstance(value, int):
                ids = [value]
            else:
                ids = sorted(set(value))
                shape.append((name, len(ids)))
            if not ids or not all(isinstance(i, int) and i in ID_RANGE for i in ids):
                return []
            values[name] = ids
        compiled = self._compiled.get(tuple(shape)) or self._compile(params, tuple(shape))
        return compiled.run(connections[compiled.alias], values)

    def first(self, **params):
        rows = self.rows(**params)
        return rows[0] if rows else None

    def _marker_params(self, params: dict, lengths: dict) -> tuple[dict, dict]:
        """Marker arguments for `build`, and marker → (parameter name, position in its list)."""
        arguments, slots, n = {}, {}, 0
        for name in params:
            length = lengths.get(name)
            markers = list(range(MARKER_BASE + n, MARKER_BASE + n + (length or 1)))
            n += len(markers)
            slots.update({marker: (name, i) for i, marker in enumerate(markers)})
            arguments[name] = markers if length is not None else markers[0]
        return arguments, slots

    def _compile(self, params: dict, shape: tuple) -> "_Compiled":
        with self._lock:
            arguments, slots = self._marker_params(params, dict(shape))
            queryset = self._build(**arguments)
            alias = router.db_for_read(queryset.model)
            query = queryset.query
            if query.select_related or queryset._prefetch_related_lookups or query.annotations or query.extra:
                raise ValueError("Statement: only one model's own columns (no joins fetched, no annotations)")
            iterable = queryset._iterable_class
            if iterable not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
                raise ValueError(f"Statement: {iterable.__name__} rows are not supported")
            compiler = query.get_compiler(using=alias)
            # as the ORM: FOR UPDATE outside a transaction is an error where it means something
            for_update = bool(query.select_for_update) and connections[alias].features.has_select_for_update
            if for_update and connections[alias].get_autocommit():
                raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
            sql, marker_values = compiler.as_sql()
            places = [slots.get(value) if type(value) is int else None for value in marker_values]
            if sorted(filter(None, places)) != sorted(slots.values()):
                raise ValueError("Statement: a parameter did not reach the SQL as it was given")
            columns = [column for column, _, _ in compiler.select]
            compiled = _Compiled(
                alias=alias,
                sql=sql,
                constants=list(marker_values),
                places=places,
                converters=compiler.get_converters(columns),
                model=queryset.model if iterable is ModelIterable else None,
                attnames=[column.target.attname for column in columns] if iterable is ModelIterable else None,
                flat=iterable is FlatValuesListIterable,
                for_update=for_update,
            )
            if all(length <= MAX_KEPT_LIST for _, length in shape):
                self._compiled[shape] = compiled
            return compiled


class _Compiled:
    def __init__(self, *, alias, sql, constants, places, converters, model, attnames, flat, for_update):
        self.alias, self.sql, self.constants, self.places = alias, sql, constants, places
        self.converters = list(converters.items())
        self.model, self.attnames, self.flat, self.for_update = model, attnames, flat, for_update

    def run(self, connection, values: dict) -> list:
        if self.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = [
            constant if place is None else values[place[0]][place[1]]
            for constant, place in zip(self.constants, self.places, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
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
