"""Opening the platform's database the way every command and the server do."""

from __future__ import annotations

from sqlalchemy import Engine

from singlewindow.db.migrate import ensure_schema
from singlewindow.db.session import database_url, make_engine, make_sessionmaker, unit_of_work
from singlewindow.release.context import load_reference_data


def open_database(url: str | None = None) -> Engine:
    """An engine on the configured database; on SQLite the schema is created or migrated and
    the default reference data loaded when missing."""
    url = url or database_url()
    engine = make_engine(url)
    if url.startswith("sqlite"):
        ensure_schema(engine)
        with unit_of_work(make_sessionmaker(engine)) as session:
            load_reference_data(session)
    return engine
