"""SQLite in a server process: the WAL is folded by a background thread, not by the commit
that crosses SQLite's 1,000-page mark while holding the write lock."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import Engine, text

from singlewindow.db.session import Checkpointer, make_engine

PAGE = 4096
ROWS = 200  # each commit writes about 200 pages of new rows


def _fill(engine: Engine, commits: int) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS t (b BLOB)"))
    for _ in range(commits):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (randomblob(:n))"), [{"n": PAGE}] * ROWS)


def _wal_bytes(path: Path) -> int:
    return os.path.getsize(f"{path}-wal")


def test_commits_leave_the_wal_to_the_checkpointer(tmp_path: Path) -> None:
    path = tmp_path / "sw.db"
    engine = make_engine(f"sqlite:///{path}")
    checkpointer = Checkpointer(engine, every_s=3600).start()  # no round during the test
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        _fill(engine, commits=10)
        assert _wal_bytes(path) > 1500 * PAGE  # nobody folded it at 1,000 pages
        checkpointer.checkpoint()
        with engine.connect() as connection:
            busy, log, folded = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        assert (busy, folded) == (0, log)  # every frame already in the database file
        assert checkpointer.runs == 1
    finally:
        checkpointer.stop()
        engine.dispose()


def test_without_the_checkpointer_a_commit_folds_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "sw.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        _fill(engine, commits=10)
        assert _wal_bytes(path) < 1300 * PAGE  # reset after SQLite's own checkpoint
    finally:
        engine.dispose()


def test_the_thread_checkpoints_every_round_and_stops(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sw.db'}")
    checkpointer = Checkpointer(engine, every_s=0.01).start()
    _fill(engine, commits=1)
    deadline = time.monotonic() + 10
    while checkpointer.runs < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    checkpointer.stop()
    stopped_at = checkpointer.runs
    time.sleep(0.05)
    engine.dispose()
    assert stopped_at >= 3
    assert checkpointer.runs == stopped_at  # no round after stop
