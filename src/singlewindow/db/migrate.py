"""Schema migrations run from code: `upgrade` to head, `ensure_schema` when empty or behind."""

from __future__ import annotations

import tempfile
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


def write_revision(message: str) -> list[str]:
    """Autogenerate the next revision from the tables of TABLE_MODULES, against a scratch
    SQLite database at head; returns the paths written. Review the file before committing."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'head.db'}")
        try:
            upgrade(engine)
            config = alembic_config()
            heads = sorted(head_revisions())
            next_id = f"{max(int(h) for h in heads) + 1:04d}" if heads else "0001"
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                made = command.revision(config, message=message, autogenerate=True, rev_id=next_id)
        finally:
            engine.dispose()
    scripts = made if isinstance(made, list) else [made]
    return [script.path for script in scripts if script is not None]


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
