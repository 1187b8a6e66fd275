"""Many rows through one statement, without SQLAlchemy's work per row.

`connection.execute(statement, rows)` re-processes every row in Python (`construct_params`:
each bind looked up, defaulted and converted) before the driver's `executemany`; on the
clearance path, which writes six or so rows per message, that cost about as much as the
driver itself. Here a statement is compiled once per dialect and set of keys, each bind's
converter (`TypeEngine.bind_processor`: dates to text on SQLite, JSON to text …) is found once,
and the rows go to the driver as plain tuples (or dicts, for named parameter styles) through
`Connection.exec_driver_sql`. Scalar column defaults are filled as Core would; a callable
default is refused (no hot-path table has one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Insert, Table, Update, insert
from sqlalchemy.engine import Dialect


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    names: tuple[str, ...]  # the driver's parameter names, in order for positional styles
    columns: tuple[str, ...]  # the same, as the statement's own bind names (column keys)
    take: Callable[[Mapping[str, Any]], tuple[Any, ...]]  # a row's values, in that order
    converts: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor)
    positional: bool


_PLANS: dict[tuple[int, str, tuple[str, ...]], tuple[Insert | Update, _Plan]] = {}


def insert_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT `rows` (all with the same keys) into `table`: one executemany, or on PostgreSQL
    one COPY (psycopg's pipelined executemany spends tens of microseconds per row in Python;
    COPY streams the rows in one round trip)."""
    if not rows:
        return
    statement = _insert_of(table)
    if connection.dialect.name != "postgresql":
        execute_many(connection, statement, rows)
        return
    plan = _plan_of(connection, statement, rows)
    preparer = connection.dialect.identifier_preparer
    columns = ", ".join(preparer.quote(table.c[key].name) for key in plan.columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(_values(plan, row))
    finally:
        cursor.close()


_INSERTS: dict[Table, Insert] = {}


def _insert_of(table: Table) -> Insert:
    stmt = _INSERTS.get(table)
    if stmt is None:
        stmt = _INSERTS[table] = insert(table)
    return stmt


def execute_many(
    connection: Connection, statement: Insert | Update, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Run a Core INSERT or UPDATE once per row (all rows with the same keys); `statement`
    should be a long-lived object (it keys the compiled plan). Returns the rows matched, summed
    over the rows given (both drivers sum an executemany's counts)."""
    if not rows:
        return 0
    plan = _plan_of(connection, statement, rows)
    params: list[Any]
    if plan.positional:
        params = [_values(plan, row) for row in rows]
    else:
        names = plan.names
        params = [dict(zip(names, _values(plan, row), strict=True)) for row in rows]
    return int(connection.exec_driver_sql(plan.sql, params).rowcount)


def _plan_of(
    connection: Connection, statement: Insert | Update, rows: Sequence[Mapping[str, Any]]
) -> _Plan:
    dialect = connection.dialect
    keys = tuple(rows[0])
    cache_key = (id(statement), dialect.name, keys)
    cached = _PLANS.get(cache_key)
    if cached is None or cached[0] is not statement:
        cached = _PLANS[cache_key] = (statement, _plan(statement, dialect, keys))
    return cached[1]


def _values(plan: _Plan, row: Mapping[str, Any]) -> tuple[Any, ...]:
    values = plan.take(row)
    if not plan.converts:
        return values
    out = list(values)
    for at, convert in plan.converts:
        value = out[at]
        if value is not None:
            out[at] = convert(value)
    return tuple(out)


def _plan(statement: Insert | Update, dialect: Dialect, keys: tuple[str, ...]) -> _Plan:
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    prefetch = {c.key: c for c in (*compiled.insert_prefetch, *compiled.update_prefetch)}
    positional = bool(compiled.positional)
    order = list(compiled.positiontup or ()) if positional else list(compiled.binds)
    escaped = getattr(compiled, "escaped_bind_names", None) or {}
    names: list[str] = []
    takers: list[tuple[bool, Any]] = []  # (from the row, key or default value)
    converts: list[tuple[int, Callable[[Any], Any]]] = []
    for at, name in enumerate(order):
        if name in keys:
            takers.append((True, name))
        else:
            column = prefetch.get(name)
            if column is None or column.default is None or not column.default.is_scalar:
                raise ValueError(f"{name}: no value in the rows and no scalar default")
            takers.append((False, getattr(column.default, "arg", None)))
        names.append(escaped.get(name, name))
        processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            converts.append((at, processor))
    return _Plan(
        compiled.string, tuple(names), tuple(order), _taker(takers), tuple(converts), positional
    )


def _taker(takers: list[tuple[bool, Any]]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A function giving a row's values in parameter order (one C-level itemgetter when every
    value comes from the row, the common case)."""
    if all(from_row for from_row, _ in takers):
        get = itemgetter(*(key for _, key in takers))
        if len(takers) == 1:
            return lambda row: (get(row),)
        return get
    fixed = tuple(takers)

    def take(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(row[key] if from_row else key for from_row, key in fixed)

    return take
