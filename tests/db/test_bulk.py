"""Rows written through `db.bulk` read back exactly as Core's own executemany writes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    insert,
    select,
    update,
)

from singlewindow.db.bulk import execute_many, insert_rows
from singlewindow.kit.clock import CST

metadata = MetaData()
things = Table(
    "bulk_things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("facts", JSON, nullable=False),
    Column("flag", Boolean, nullable=False, default=True),
    Column("note", String(20), nullable=True),
    Column("version", Integer, nullable=False, default=1),
)
_RENAME = (
    update(things)
    .where(things.c.id == bindparam("_id"))
    .values(name=bindparam("v_name"), facts=bindparam("v_facts"))
)
AT = datetime(2026, 5, 11, 9, 30, 15, 123456, tzinfo=CST)


@pytest.fixture
def made(engine: Engine) -> Iterator[Engine]:
    metadata.create_all(engine)
    yield engine
    metadata.drop_all(engine)


def _rows(n: int, start: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "name": f"thing {i}",
            "at": AT,
            "facts": {"reasons": ["a", "b"], "n": i, "中文": "是"},
            "note": None if i % 2 else f"note {i}",
        }
        for i in range(start, start + n)
    ]


def _all(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(things).order_by(things.c.id))]


def test_insert_rows_reads_back_as_cores_own_insert_with_its_scalar_defaults(made: Engine) -> None:
    with made.begin() as connection:
        insert_rows(connection, things, _rows(3))
    ours = _all(made)
    with made.begin() as connection:
        connection.execute(things.delete())
        connection.execute(insert(things), _rows(3))
    assert ours == _all(made)
    assert [(r[0], r[4], r[5], r[6]) for r in ours] == [
        (1, True, None, 1),
        (2, True, "note 2", 1),
        (3, True, None, 1),
    ]
    assert ours[0][3] == {"reasons": ["a", "b"], "n": 1, "中文": "是"}


def test_execute_many_runs_an_update_once_per_row(made: Engine) -> None:
    with made.begin() as connection:
        insert_rows(connection, things, _rows(4))
        execute_many(
            connection,
            _RENAME,
            [
                {"_id": 2, "v_name": "two", "v_facts": {"x": 2}},
                {"_id": 4, "v_name": "four", "v_facts": []},
            ],
        )
    assert [(r[0], r[1], r[3]) for r in _all(made)] == [
        (1, "thing 1", {"reasons": ["a", "b"], "n": 1, "中文": "是"}),
        (2, "two", {"x": 2}),
        (3, "thing 3", {"reasons": ["a", "b"], "n": 3, "中文": "是"}),
        (4, "four", []),
    ]


def test_no_rows_is_no_statement_and_a_callable_default_is_refused(made: Engine) -> None:
    stamped = Table(
        "bulk_stamped",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("stamp", String(20), default=lambda: "now"),
    )
    statements: list[str] = []

    def spy(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    with made.begin() as connection:
        event.listen(made, "before_cursor_execute", spy)
        try:
            insert_rows(connection, things, [])
            assert execute_many(connection, _RENAME, []) == 0
        finally:
            event.remove(made, "before_cursor_execute", spy)
        with pytest.raises(ValueError, match="stamp: no value in the rows and no scalar default"):
            insert_rows(connection, stamped, [{"id": 1}])
    assert statements == []
    assert _all(made) == []
