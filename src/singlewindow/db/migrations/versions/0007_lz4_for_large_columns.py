"""PostgreSQL: the large columns written on every message are compressed with lz4.

Each message stores its signed XML (`messages.raw`) and each record its JSON body
(`documents.body`); each move of an inventory stores its facts and an audit record its
details. PostgreSQL compresses values over about 2 kB with pglz by default, which took about a
seventh of the database's CPU in the clearance benchmark (perf). lz4 compresses several times
faster at a similar ratio; in an in-process A/B (fresh database each run, four pairs, all in
its favour) the time a batch spent past the border, relative to the border, fell from 2.68 to
2.48, about 7 %. Values written before keep their compression; PostgreSQL reads both. A server
built without lz4 keeps pglz; SQLite has no such setting.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LARGE_COLUMNS = (
    ("messages", "raw"),
    ("documents", "body"),
    ("inventory_transitions", "facts"),
    ("audit_log", "details"),
)


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    # default_toast_compression lists lz4 among its values only when the server has it (14+).
    found = bind.exec_driver_sql(
        "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
        "AND 'lz4' = ANY(enumvals)"
    ).first()
    return found is not None


def _set(method: str) -> None:
    for table, column in LARGE_COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade() -> None:
    if _lz4_available():
        _set("lz4")


def downgrade() -> None:
    if _lz4_available():
        _set("default")
