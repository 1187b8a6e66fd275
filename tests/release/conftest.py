"""Fixtures of the clearance tests: keys made once per process, a Platform per test.

On SQLite each test starts from a copy of one database migrated and filed once per process
(migrating costs more than most tests); on PostgreSQL each test migrates its fresh database.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url
from tests.release.harness import Keys, Platform, file_zone, make_keys, new_platform

from singlewindow.db.migrate import upgrade
from singlewindow.db.session import make_engine, make_sessionmaker


@pytest.fixture(scope="session")
def keys() -> Keys:
    return make_keys()


@pytest.fixture(scope="session")
def _filed_sqlite(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Path:
    path = tmp_path_factory.mktemp("template") / "filed.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    file_zone(make_sessionmaker(engine), keys)
    engine.dispose()
    with sqlite3.connect(path) as connection:  # fold the WAL into the file before copying
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def platform(
    database_url: str, keys: Keys, request: pytest.FixtureRequest, _filed_sqlite: Path
) -> Iterator[Platform]:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        yield new_platform(request.getfixturevalue("session_factory"), keys)
        return
    shutil.copyfile(_filed_sqlite, str(url.database))
    engine = make_engine(database_url)
    yield new_platform(make_sessionmaker(engine), keys, filed=True)
    engine.dispose()
