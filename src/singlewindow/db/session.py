"""Engine and unit of work. SQLite (WAL) by default; any SQLAlchemy URL via the environment."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from singlewindow.kit.rounds import Rounds

log = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///./singlewindow.db"
URL_ENV = "SINGLEWINDOW_DATABASE_URL"


def database_url() -> str:
    return os.environ.get(URL_ENV) or DEFAULT_URL


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# JSON columns (document bodies, receipts, facts) are read and written on every message: orjson
# does it several times faster than the standard library.
_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **_JSON
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, **_JSON)


class WriteGate:
    """The writers of one SQLite file taken one at a time, across threads and processes, and
    handed over the moment the holder's transaction ends. SQLite's own busy handler would make a
    waiting writer sleep in growing steps (up to 100 ms), leaving the database idle while work
    waits; a lock file (flock) wakes the next writer at once."""

    def __init__(self, path: str) -> None:
        self._path = f"{path}.writer"
        self._threads = threading.Lock()
        self._fd: int | None = None

    def acquire(self) -> None:
        self._threads.acquire()
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()


_GATES: dict[str, WriteGate] = {}
_GATES_LOCK = threading.Lock()
_HELD = "singlewindow.db.write_gate"


def _gate_of(session: Session) -> WriteGate | None:
    bind = session.get_bind()
    path = bind.engine.url.database if bind.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    key = os.path.abspath(path)
    with _GATES_LOCK:
        gate = _GATES.get(key)
        if gate is None:
            gate = _GATES[key] = WriteGate(key)
        return gate


def begin_write(session: Session) -> None:
    """SQLite: take the database's write lock now, before anything is read, so that concurrent
    writers (threads or processes) are judged one after the other. The gate is released when the
    session's transaction ends (commit or rollback)."""
    if _HELD in session.info:
        return
    gate = _gate_of(session)
    if gate is not None:
        gate.acquire()
        session.info[_HELD] = gate
    try:
        session.execute(text("BEGIN IMMEDIATE"))
    except BaseException:
        _release(session)
        raise


def _release(session: Session) -> None:
    gate = session.info.pop(_HELD, None)
    if gate is not None:
        gate.release()


T = TypeVar("T")
_TRANSACTION_KEYS: set[str] = set()


def transaction_state(session: Session, key: str, make: Callable[[], T]) -> T:
    """State of the session's current transaction, kept in `session.info` under `key`: made by
    `make` on first use, forgotten when the outermost transaction ends (commit or rollback).
    `session.info.get(key)` peeks without making it."""
    _TRANSACTION_KEYS.add(key)
    state: T | None = session.info.get(key)
    if state is None:
        state = session.info[key] = make()
    return state


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        _release(session)
        for key in _TRANSACTION_KEYS:
            session.info.pop(key, None)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error. Services never commit."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Checkpointer:
    """SQLite in a long-running process: the WAL is folded into the database file by this
    background thread (a PASSIVE checkpoint every `every_s` seconds: it blocks neither readers
    nor writers) instead of by whichever commit crosses SQLite's 1,000-page mark, which copies
    the pages and syncs the file while holding the write lock; about a third of the commit time
    of clearing, measured in process. Connections opened after `start` do not checkpoint by
    themselves; the last connection to close still folds the WAL (SQLite does that)."""

    def __init__(self, engine: Engine, every_s: float = 1.0) -> None:
        self.engine = engine
        self.runs = 0
        self.rounds = Rounds("sqlite-checkpoint", every_s, self.checkpoint)

    def start(self) -> Checkpointer:
        if self.engine.dialect.name != "sqlite" or self.rounds.running:
            return self
        event.listen(self.engine, "connect", _no_autocheckpoint)
        self.engine.dispose()  # pooled connections were opened with the automatic checkpoint
        self.rounds.start()
        return self

    def stop(self) -> None:
        self.rounds.stop(timeout_s=10)

    def checkpoint(self) -> None:
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            self.runs += 1
        except Exception:  # a busy or closing database: the next round tries again
            log.warning("WAL checkpoint failed", exc_info=True)


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.close()
