"""Documents and inventories as plain rows, for the clearance path.

The clearance path reads a few hundred documents and inventories per request, creates and
changes many of them, and writes them all before it commits. Through the ORM each attribute
read or write goes through its instrumentation and each flush through its unit of work, which
cost as much as the rules themselves. Here they are plain objects read with one Core statement
and written with one statement per kind of change:

- a row read from the database remembers the values it was read with (`saved`); when the
  session writes (`write_rows`, also run by every flush), a row whose values differ is updated,
  grouped with the other rows that changed the same columns;
- a new row (`saved is None`) is inserted, documents before inventories (the foreign key);
- an inventory's change of status is a compare-and-set: its update only matches while the
  stored status is still the one read (or last written), and when any row of the batch no
  longer matches, `StatusChanged` is raised and the transaction must roll back. Deferring the
  check to the write costs one statement per batch instead of a round trip per move.

Every row read or created in a transaction is tracked until it ends (`transaction_state`). The ORM
classes of `tables.py` stay the schema and serve every other reader.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Table, Update, bindparam, event, select, update
from sqlalchemy.orm import Session

from singlewindow.db.bulk import execute_many, insert_rows
from singlewindow.db.keys import chunked, one_of
from singlewindow.db.session import transaction_state
from singlewindow.declaration.tables import DocumentRow, InventoryRow

_DOCUMENTS: Table = DocumentRow.__table__  # type: ignore[assignment]
_INVENTORIES: Table = InventoryRow.__table__  # type: ignore[assignment]


@dataclass(slots=True, eq=False)
class Document:
    """One business record (a row of `documents`)."""

    id: int
    message_guid: str
    record_guid: str
    message_type: str
    kind: str
    direction: str
    doc_key: str
    order_key: str
    logistics_key: str
    cop_code: str
    parties: str
    app_status: str
    status: str
    version: int
    received_at: datetime
    body: dict[str, Any]
    # The values as last read or written, in column order; None until the row is inserted.
    saved: tuple[Any, ...] | None = None


@dataclass(slots=True, eq=False)
class Inventory:
    """An inventory list and where it stands (a row of `inventories`)."""

    id: int
    direction: str
    order_key: str
    logistics_key: str
    order_no: str
    ebp_code: str
    ebc_code: str
    agent_code: str
    logistics_code: str
    logistics_no: str
    buyer_id_number: str
    trade_mode: str
    statistics_flag: str
    status: str
    first_doc_at: datetime
    updated_at: datetime
    document_id: int = 0  # set when it is linked to its document (`Workset.add_inventory`)
    invt_no: str | None = None
    released_at: datetime | None = None
    saved: tuple[Any, ...] | None = None


Plain = TypeVar("Plain", Document, Inventory)


class StatusChanged(Exception):
    """A row's status is no longer the one this transaction read: somebody else moved it."""


@dataclass(frozen=True)
class _Kind:
    table: Table
    columns: tuple[str, ...]  # in the dataclass's order, `saved` left out
    values: attrgetter[Any]
    index: dict[str, int]
    guard: str | None  # the column whose change is a compare-and-set

    @classmethod
    def of(cls, plain: type, table: Table, guard: str | None = None) -> _Kind:
        columns = tuple(f.name for f in fields(plain) if f.name != "saved")
        if set(columns) != {c.name for c in table.columns}:  # a column added to one side only
            raise RuntimeError(f"{plain.__name__} does not match the table {table.name}")
        index = {c: i for i, c in enumerate(columns)}
        return cls(table, columns, attrgetter(*columns), index, guard)


_KINDS: dict[type, _Kind] = {
    Document: _Kind.of(Document, _DOCUMENTS),
    Inventory: _Kind.of(Inventory, _INVENTORIES, guard="status"),
}

_TRACKED = "singlewindow.declaration.rows"


def _tracked(session: Session) -> dict[type, list[Any]]:
    return transaction_state(session, _TRACKED, lambda: {Document: [], Inventory: []})


def track(session: Session, row: Document | Inventory) -> None:
    """A row created in this transaction: it is inserted when the session next writes."""
    _tracked(session)[type(row)].append(row)


def read(session: Session, plain: type[Plain], *where: ColumnElement[bool]) -> list[Plain]:
    """The rows of `plain`'s table that match, as plain rows tracked by the session."""
    kind = _KINDS[plain]
    stmt = select(*(kind.table.c[name] for name in kind.columns)).where(*where)
    found: list[Plain] = []
    for values in session.connection().execute(stmt):
        row = plain(*values)
        row.saved = tuple(values)
        found.append(row)
    _tracked(session)[plain].extend(found)
    return found


def documents_by_ids(session: Session, ids: Iterable[int]) -> dict[int, Document]:
    found: dict[int, Document] = {}
    dialect = session.get_bind().dialect.name
    for chunk in chunked(ids):
        found.update(
            (d.id, d) for d in read(session, Document, one_of(dialect, _DOCUMENTS.c.id, chunk))
        )
    return found


def write_rows(session: Session) -> None:
    """Insert the new rows and update the changed ones: one statement per table for the new,
    one per set of changed columns for the rest. Documents first: inventories refer to them.
    Raises StatusChanged when a guarded change (an inventory's status) finds the stored status
    moved by somebody else."""
    tracked = session.info.get(_TRACKED)
    if not tracked:
        return
    connection = session.connection()
    for plain in (Document, Inventory):
        kind = _KINDS[plain]
        new: list[dict[str, Any]] = []
        changes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in tracked[plain]:
            values = kind.values(row)
            saved = row.saved
            if saved is None:
                new.append(dict(zip(kind.columns, values, strict=True)))
            elif values != saved:
                changed = tuple(
                    name
                    for name, value, old in zip(kind.columns, values, saved, strict=True)
                    if value != old
                )
                params = {f"v_{name}": values[kind.index[name]] for name in changed}
                params["_id"] = row.id
                if kind.guard in changed:
                    params["_expected"] = saved[kind.index[kind.guard]]
                changes.setdefault(changed, []).append(params)
            else:
                continue
            row.saved = values
        insert_rows(connection, kind.table, new)
        for changed, batch in changes.items():
            guard = kind.guard if kind.guard in changed else None
            matched = execute_many(connection, _update_statement(kind.table, changed, guard), batch)
            if guard is not None and matched != len(batch):
                raise StatusChanged(
                    f"{kind.table.name}: {len(batch) - matched} of {len(batch)} rows no longer "
                    f"have the {guard} this transaction read"
                )


@functools.cache
def _update_statement(table: Table, columns: Sequence[str], guard: str | None) -> Update:
    where = [table.c.id == bindparam("_id")]
    if guard is not None:
        where.append(table.c[guard] == bindparam("_expected"))
    return update(table).where(*where).values({name: bindparam(f"v_{name}") for name in columns})


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    # ORM rows of the same transaction (tax bills …) may refer to new inventories.
    write_rows(session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    write_rows(session)
