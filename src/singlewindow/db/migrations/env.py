"""Alembic environment: the connection comes from `db.migrate.upgrade`, or from the
`SINGLEWINDOW_DATABASE_URL` when run through the `alembic` command for authoring revisions."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from singlewindow.db.session import make_engine
from singlewindow.db.tables_registry import load_metadata, registered_table_names

target_metadata = load_metadata()
_OWNED = registered_table_names()


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, _other: object
) -> bool:
    # Only tables of the listed modules are under migration; a test run may have imported others.
    if type_ == "table":
        return name in _OWNED
    return True


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine()
    with engine.begin() as own:
        _run(own)
    engine.dispose()


run_migrations_online()
