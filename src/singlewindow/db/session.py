"""Engine and unit of work. SQLite (WAL) by default; any SQLAlchemy URL via the environment."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

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


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        _release(session)


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
