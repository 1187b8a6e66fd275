"""`one_of` finds the same rows as `IN`, on each database (an array on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine, select
from tests.db.test_bulk import _rows, made, things

from singlewindow.db.bulk import insert_rows
from singlewindow.db.keys import one_of

__all__ = ["made"]  # the fixture


def test_one_of_matches_exactly_the_listed_values(made: Engine) -> None:
    with made.begin() as connection:
        insert_rows(connection, things, _rows(50))
    dialect = made.dialect.name
    with made.connect() as connection:

        def ids(column: object, values: list[object]) -> list[int]:
            stmt = select(things.c.id).where(one_of(dialect, column, values)).order_by(things.c.id)  # type: ignore[arg-type]
            return list(connection.scalars(stmt))

        assert ids(things.c.name, ["thing 3", "thing 40", "nobody", "thing 3"]) == [3, 40]
        assert ids(things.c.id, [7, 1, 99]) == [1, 7]
        assert ids(things.c.name, []) == []
