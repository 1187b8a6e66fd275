"""Schema migrations run from code: `upgrade` to head, `ensure_schema` when empty or behind."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from singlewindow.db.session import make_engine, make_sessionmaker, unit_of_work

Loader = Callable[[Session], None]

SCRIPT_LOCATION = str(Path(__file__).with_name("migrations"))


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> frozenset[str]:
    with engine.connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads())


def is_current(engine: Engine) -> bool:
    return current_revisions(engine) == head_revisions()


def upgrade(engine: Engine, loaders: Sequence[Loader] = ()) -> None:
    """Migrate to head (a no-op when already there), then run the reference-data loaders.

    Loaders come from the edge (CLI, app) because they live in capabilities above `db`;
    each must be idempotent, since it runs on every upgrade.
    """
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    if loaders:
        with unit_of_work(make_sessionmaker(engine)) as session:
            for load in loaders:
                load(session)


def ensure_schema(engine: Engine, loaders: Sequence[Loader] = ()) -> bool:
    """Upgrade when the database is empty or behind; returns whether it migrated."""
    if is_current(engine):
        return False
    upgrade(engine, loaders)
    return True


def engine_for_command(url: str | None = None, loaders: Sequence[Loader] = ()) -> Engine:
    """An engine for one CLI command. On SQLite the schema is made on first use, so
    `singlewindow registry import` works on a fresh directory; a server database is migrated
    explicitly with `singlewindow db upgrade`."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        ensure_schema(engine, loaders)
    return engine
