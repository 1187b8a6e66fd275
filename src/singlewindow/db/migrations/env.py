"""Alembic environment: the connection comes from `db.migrate.upgrade`, or from the
`SINGLEWINDOW_DATABASE_URL` when run through the `alembic` command for authoring revisions."""

from __future__ import annotations

from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from singlewindow.db.session import make_engine
from singlewindow.db.tables_registry import load_metadata, registered_table_names
from singlewindow.db.types import UtcDateTime

target_metadata = load_metadata()
_OWNED = registered_table_names()


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, _other: object
) -> bool:
    # Only tables of the listed modules are under migration; a test run may have imported others.
    if type_ == "table":
        return name in _OWNED
    return True


def _render_item(type_: str, obj: object, autogen_context: AutogenContext) -> str | Literal[False]:
    # Our column types render as their own name with an import, not as a dotted path.
    if type_ == "type" and isinstance(obj, UtcDateTime):
        autogen_context.imports.add("from singlewindow.db.types import UtcDateTime")
        return "UtcDateTime()"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
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
