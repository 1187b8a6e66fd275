"""Statements over stored documents, inventories, transitions and receipts. Batched by design:
the clearance path loads what a whole request needs in a few queries."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from singlewindow.db.keys import chunked, one_of
from singlewindow.db.session import begin_write
from singlewindow.declaration.tables import (
    DocumentRow,
    InventoryRow,
    MessageRow,
    ReceiptRow,
    TransitionRow,
)


def lock_keys(session: Session, keys: Iterable[str]) -> None:
    """Serialise work on the same parcel across processes (PostgreSQL advisory locks, taken in
    sorted order so two batches cannot deadlock). SQLite serialises writers by itself."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # SQLite has no row locks: the whole database's write lock, before anything is read.
        # (Python's sqlite3 opens no transaction for reads, so nothing has begun yet.)
        begin_write(session)
        return
    if dialect != "postgresql":
        return
    _advisory_locks(session, keys)


def lock_more_keys(session: Session, keys: Iterable[str]) -> None:
    """Further advisory locks within a batch that already holds its first ones (PostgreSQL;
    SQLite's batch already holds the whole database). A rare wait cycle between two batches is
    broken by PostgreSQL's deadlock detector and the request is retried (`submit_with_retry`)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    _advisory_locks(session, keys)


class LocksBusy(Exception):
    """Another batch holds a key this one reached through a stored inventory: the batch is
    rolled back and judged again (`submit_with_retry`), rather than wait in a possible cycle."""


def try_lock_more_keys(session: Session, keys: Iterable[str]) -> None:
    """Like `lock_more_keys`, but without waiting: raises LocksBusy when a key is held."""
    if session.get_bind().dialect.name != "postgresql":
        return
    ids = _lock_ids(keys)
    if ids and not session.execute(_TRY_ALL, {"ids": ids}).scalar_one():
        raise LocksBusy(f"{len(ids)} keys")


def companion_keys(
    session: Session,
    *,
    order_keys: Collection[str],
    logistics_keys: Collection[str],
    invt_nos: Collection[str],
) -> set[str]:
    """The lock keys of the stored inventories a batch's keys reach: each inventory's order and
    logistics keys (its documents hang on both) and its buyer (the yearly quota). A batch holding
    these before it reads sees every document of those inventories that is committed, and no
    other batch can add one meanwhile."""
    dialect = session.get_bind().dialect.name
    if dialect != "postgresql":
        return set()  # SQLite: the batch holds the whole database already
    found: set[str] = set()
    columns = (InventoryRow.order_key, InventoryRow.logistics_key, InventoryRow.buyer_id_number)
    for column, keys in (
        (InventoryRow.order_key, order_keys),
        (InventoryRow.logistics_key, logistics_keys),
        (InventoryRow.invt_no, invt_nos),
    ):
        for chunk in chunked(set(keys) - {""}):
            stmt = select(*columns).where(one_of(dialect, column, chunk))
            for order_key, logistics_key, buyer in session.execute(stmt):
                found.update((order_key, logistics_key, f"buyer|{buyer}" if buyer else ""))
    found.discard("")
    return found


def _lock_ids(keys: Iterable[str]) -> list[int]:
    # 64-bit lock ids from the keys, in sorted order so two batches cannot deadlock.
    return sorted(
        {
            int.from_bytes(hashlib.blake2b(k.encode(), digest_size=8).digest(), "big", signed=True)
            for k in keys
            if k
        }
    )


def _advisory_locks(session: Session, keys: Iterable[str]) -> None:
    ids = _lock_ids(keys)
    if ids:
        # One round trip: unnest yields the sorted array in order and the aggregate takes each
        # lock as it goes, so the order is kept.
        session.execute(_LOCK_ALL, {"ids": ids})


_LOCK_ALL = text(
    "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:ids AS bigint[])) AS t(k)"
)
_TRY_ALL = text(
    "SELECT bool_and(pg_try_advisory_xact_lock(k)) FROM unnest(CAST(:ids AS bigint[])) AS t(k)"
)


def find_messages(session: Session, guids: Collection[str]) -> dict[str, MessageRow]:
    if not guids:
        return {}
    rows = session.scalars(select(MessageRow).where(MessageRow.guid.in_(list(guids))))
    return {r.guid: r for r in rows}


def message_digests(session: Session, guids: Collection[str]) -> dict[str, str]:
    """guid → sha256 of the stored messages among `guids` (the clearance path's idempotency
    check reads nothing else: the archived bytes stay on disk)."""
    if not guids:
        return {}
    table: Table = MessageRow.__table__  # type: ignore[assignment]
    where = one_of(session.get_bind().dialect.name, table.c.guid, guids)
    stmt = select(table.c.guid, table.c.sha256).where(where)
    return {guid: sha for guid, sha in session.connection().execute(stmt)}


def initial_receipts(session: Session, message_guid: str) -> list[ReceiptRow]:
    stmt = (
        select(ReceiptRow)
        .where(ReceiptRow.message_guid == message_guid, ReceiptRow.initial.is_(True))
        .order_by(ReceiptRow.id)
    )
    return list(session.scalars(stmt))


def receipts_of_message(session: Session, message_guid: str) -> list[ReceiptRow]:
    stmt = select(ReceiptRow).where(ReceiptRow.message_guid == message_guid).order_by(ReceiptRow.id)
    return list(session.scalars(stmt))


def documents_by_order_key(
    session: Session, message_types: Sequence[str], order_keys: Collection[str]
) -> list[DocumentRow]:
    if not order_keys:
        return []
    stmt = select(DocumentRow).where(
        DocumentRow.message_type.in_(list(message_types)),
        DocumentRow.order_key.in_(list(order_keys)),
    )
    return list(session.scalars(stmt))


def documents_by_logistics_key(
    session: Session, message_types: Sequence[str], logistics_keys: Collection[str]
) -> list[DocumentRow]:
    if not logistics_keys:
        return []
    stmt = select(DocumentRow).where(
        DocumentRow.message_type.in_(list(message_types)),
        DocumentRow.logistics_key.in_(list(logistics_keys)),
    )
    return list(session.scalars(stmt))


def inventories_by_keys(
    session: Session,
    *,
    order_keys: Collection[str] = (),
    logistics_keys: Collection[str] = (),
    statuses: Collection[str] | None = None,
) -> list[InventoryRow]:
    found: dict[int, InventoryRow] = {}
    for column, keys in (
        (InventoryRow.order_key, order_keys),
        (InventoryRow.logistics_key, logistics_keys),
    ):
        if not keys:
            continue
        stmt = select(InventoryRow).where(column.in_(list(keys)))
        if statuses is not None:
            stmt = stmt.where(InventoryRow.status.in_(list(statuses)))
        for row in session.scalars(stmt):
            found[row.id] = row
    return list(found.values())


def find_inventory(
    session: Session,
    *,
    invt_no: str | None = None,
    order_no: str | None = None,
    ebp_code: str | None = None,
) -> InventoryRow | None:
    stmt = select(InventoryRow)
    if invt_no:
        stmt = stmt.where(InventoryRow.invt_no == invt_no)
    else:
        stmt = stmt.where(
            InventoryRow.order_no == (order_no or ""), InventoryRow.ebp_code == (ebp_code or "")
        )
    return session.scalars(stmt.order_by(InventoryRow.id.desc()).limit(1)).first()


def history(session: Session, inventory_id: int) -> list[TransitionRow]:
    stmt = (
        select(TransitionRow)
        .where(TransitionRow.inventory_id == inventory_id)
        .order_by(TransitionRow.id)
    )
    return list(session.scalars(stmt))


def documents_by_ids(session: Session, ids: Collection[int]) -> dict[int, DocumentRow]:
    if not ids:
        return {}
    return {
        r.id: r for r in session.scalars(select(DocumentRow).where(DocumentRow.id.in_(list(ids))))
    }


INVENTORY_SERIAL = "inventory_serial"


def allocate_serials(session: Session, name: str, count: int) -> list[int]:
    """Reserve `count` numbers of a counter for this transaction. PostgreSQL takes them from a
    sequence (no lock held, so workers never wait on each other); SQLite, whose writers are
    serialised anyway, from the `serials` table."""
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        values = session.scalars(
            text("SELECT nextval(CAST(:name AS regclass)) FROM generate_series(1, :n)"),
            {"name": name, "n": count},
        ).all()
        return sorted(int(v) for v in values)
    end = session.scalar(
        text(
            "INSERT INTO serials (name, next_value) VALUES (:name, :n) "
            "ON CONFLICT (name) DO UPDATE SET next_value = serials.next_value + :n "
            "RETURNING next_value"
        ),
        {"name": name, "n": count},
    )
    assert end is not None
    return list(range(int(end) - count + 1, int(end) + 1))


def reserve_document_ids(session: Session, count: int, *, above: int = 0) -> list[int]:
    """Ids for `count` new documents, so a batch can write them in one statement (and link its
    inventories to them) before the ORM's flush. PostgreSQL: from the table's own sequence;
    SQLite: above the largest id (and `above`), which is safe because the batch holds the write
    lock and every document of the batch takes a reserved id."""
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        values = session.scalars(
            text(
                "SELECT nextval(pg_get_serial_sequence('documents', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        ).all()
        return sorted(int(v) for v in values)
    # `above`: the last id this batch reserved before (not written yet, so not in the table).
    top = max(int(session.scalar(text("SELECT coalesce(max(id), 0) FROM documents")) or 0), above)
    return list(range(top + 1, top + 1 + count))
