from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from singlewindow.db.cli import make_app
from singlewindow.db.migrate import (
    current_revisions,
    ensure_schema,
    head_revisions,
    is_current,
    upgrade,
)
from singlewindow.db.tables_registry import load_metadata, registered_table_names

OWN_TABLES = {"enterprises", "enterprise_certificates", "commodities", "persons", "users"}


def _diff(engine: Engine) -> list[object]:
    owned = registered_table_names()

    def include(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
        # Tables of modules outside TABLE_MODULES (and alembic_version) are not under compare.
        return type_ != "table" or name in owned

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include}
        )
        return list(compare_metadata(context, load_metadata()))


def test_migrations_match_the_tables(engine: Engine) -> None:
    upgrade(engine)
    assert registered_table_names() >= OWN_TABLES
    assert _diff(engine) == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    assert current_revisions(engine) == frozenset()
    upgrade(engine)
    upgrade(engine)
    assert current_revisions(engine) == head_revisions()
    assert len(head_revisions()) == 1  # one line of history, no branches
    assert set(inspect(engine).get_table_names()) >= OWN_TABLES


def test_ensure_schema_migrates_only_when_behind(engine: Engine) -> None:
    calls: list[str] = []

    def loader(session: Session) -> None:
        calls.append(session.execute(text("SELECT 'loaded'")).scalar_one())

    assert is_current(engine) is False
    assert ensure_schema(engine, [loader]) is True
    assert ensure_schema(engine, [loader]) is False
    assert is_current(engine) is True
    assert calls == ["loaded"]


def test_db_upgrade_command(database_url: str, engine: Engine) -> None:
    calls: list[int] = []
    app = make_app([lambda _session: calls.append(1)])
    env = {"SINGLEWINDOW_DATABASE_URL": database_url}
    first = CliRunner().invoke(app, ["upgrade"], env=env)
    second = CliRunner().invoke(app, ["upgrade"], env=env)
    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    (head,) = head_revisions()
    assert first.output.startswith(f"database at revision {head}: ")
    assert calls == [1, 1]
    assert is_current(engine) is True


def test_large_columns_are_lz4_compressed_on_postgresql(engine: Engine) -> None:
    """Migration 0007: a signed message's bytes (compressible, over the 2 kB at which
    PostgreSQL compresses) read back exactly; on PostgreSQL the four large columns use lz4."""
    from datetime import UTC, datetime

    from singlewindow.declaration.tables import MessageRow

    upgrade(engine)
    raw = (
        b"<ceb:CEB621Message>"
        + b"<ceb:goodsName>Wig</ceb:goodsName>" * 400
        + b"</ceb:CEB621Message>"
    )
    with Session(engine) as session, session.begin():
        session.add(
            MessageRow(
                guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94",
                sha256="0" * 64,
                message_type="CEB621",
                cop_code="1105910159",
                received_at=datetime(2026, 11, 1, tzinfo=UTC),
                record_count=1,
                raw=raw,
            )
        )
    with Session(engine) as session:
        stored_row = session.get(MessageRow, "4CDE1CFD-EDED-46B1-946C-B8022E42FC94")
        assert stored_row is not None and stored_row.raw == raw
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            methods = connection.execute(
                text(
                    "SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a "
                    "JOIN pg_class c ON c.oid = a.attrelid "
                    "WHERE (c.relname, a.attname) IN (('messages', 'raw'), ('documents', 'body'), "
                    "('inventory_transitions', 'facts'), ('audit_log', 'details'))"
                )
            ).all()
        assert sorted(methods) == [
            ("audit_log", "details", "l"),
            ("documents", "body", "l"),
            ("inventory_transitions", "facts", "l"),
            ("messages", "raw", "l"),
        ]
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT pg_column_compression(raw) FROM messages")
            ).scalar_one()
        assert stored == "lz4"
