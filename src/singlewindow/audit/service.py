"""Appending to the one audit chain, and checking it.

Appending reads the last record's hash, so appenders must queue: on PostgreSQL a transaction
takes `pg_advisory_xact_lock` on the chain's key (held to its commit); on SQLite writers are
serialised by the database lock, which the appender takes *before* reading (a no-op INSERT), so
two processes cannot both read the same last hash. `record` defers the write to the
transaction's commit, so the lock is held only for the commit itself — use it on hot paths.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, event, false, func, insert, literal, select
from sqlalchemy.orm import Session

from singlewindow.audit import rules
from singlewindow.audit.domain import GENESIS_HASH, AuditEntry, AuditRecord, VerifyResult
from singlewindow.audit.tables import AuditRow
from singlewindow.db.bulk import insert_rows

# pg_advisory_xact_lock key of the chain: b"SWAUDIT" as a bigint.
CHAIN_LOCK_KEY = int.from_bytes(b"SWAUDIT", "big")

_PENDING = "singlewindow.audit.pending"
_AUDIT: Table = AuditRow.__table__  # type: ignore[assignment]


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    at: datetime,
) -> AuditRecord:
    """Append one record now. The chain stays locked until the transaction ends, so on a
    path that goes on to lock rows, prefer `record` (a lock taken mid-transaction can deadlock
    with a transaction that holds those rows and waits for the chain)."""
    entry = AuditEntry(actor, action, subject, at, details or {})
    (sealed,) = append_many(session, [entry])
    return sealed


def append_many(session: Session, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
    """Append entries in order with one lock and one INSERT."""
    if not entries:
        return []
    _lock_chain(session)
    last = session.execute(
        select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    last_seq, last_hash = (last[0], last[1]) if last is not None else (0, GENESIS_HASH)
    sealed = rules.seal(last_seq, last_hash, entries)
    insert_rows(
        session.connection(),
        _AUDIT,
        [
            {
                "seq": r.seq,
                "at": r.at,
                "actor": r.actor,
                "action": r.action,
                "subject": r.subject,
                "details": r.details,
                "prev_hash": r.prev_hash,
                "hash": r.hash,
            }
            for r in sealed
        ],
    )
    return sealed


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    at: datetime,
) -> None:
    """Queue one record; it is appended, with the rest queued, when the session commits
    (and dropped if it rolls back)."""
    entry = AuditEntry(actor, action, subject, at, details or {})
    pending: list[AuditEntry] = session.info.setdefault(_PENDING, [])
    pending.append(entry)


def _lock_chain(session: Session) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK_KEY)))
    elif dialect == "sqlite":
        # An INSERT of no rows opens a write transaction: SQLite's one writer lock is now ours
        # (waiting for busy_timeout), so the last hash read next is the last one committed.
        session.execute(insert(AuditRow).from_select(["seq"], select(literal(0)).where(false())))


@event.listens_for(Session, "before_commit")
def _write_queued(session: Session) -> None:
    entries = session.info.pop(_PENDING, None)
    if entries:
        # Everything else first, so the chain's lock is taken last and held only for commit:
        # a transaction holding it then waits for no other lock (no deadlock, short queue).
        session.flush()
        append_many(session, entries)


@event.listens_for(Session, "after_rollback")
def _drop_queued(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _records(session: Session) -> Iterator[AuditRecord]:
    rows = session.execute(
        select(AuditRow).order_by(AuditRow.seq).execution_options(yield_per=2000)
    )
    for row in rows.scalars():
        yield _as_record(row)


def _as_record(row: AuditRow) -> AuditRecord:
    return AuditRecord(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        details=row.details,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def verify(session: Session, *, anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Recompute the chain from record 1 and name the first broken record, if any."""
    return rules.check_chain(_records(session), anchor=anchor)


def list_latest(session: Session, limit: int) -> list[AuditRecord]:
    """The last `limit` records, oldest first."""
    rows = session.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)).all()
    return [_as_record(row) for row in reversed(rows)]


def list_for_subject(session: Session, subject: str, limit: int = 100) -> list[AuditRecord]:
    """The first `limit` records about one subject, oldest first."""
    rows = session.scalars(
        select(AuditRow).where(AuditRow.subject == subject).order_by(AuditRow.seq).limit(limit)
    ).all()
    return [_as_record(row) for row in rows]
