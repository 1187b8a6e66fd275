"""Statements of the summary declaration: closed export inventories, the claim (the
compare-and-set insert), summaries with their declarations and lines, invoices and classes."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import Select, Table, Text, and_, delete, exists, func, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from singlewindow.declaration.domain import ReturnStatus
from singlewindow.declaration.tables import DocumentRow, InventoryRow, TransitionRow
from singlewindow.summary.tables import (
    PurchaseInvoiceRow,
    RebateClassRow,
    SummaryDeclarationRow,
    SummaryItemRow,
    SummaryLineRow,
    SummaryRow,
)

CLOSED = ReturnStatus.CLOSED.value
EXPORT = "E"
_CHUNK = 2000
ITEMS = cast(Table, SummaryItemRow.__table__)
LINES = cast(Table, SummaryLineRow.__table__)


@dataclass(frozen=True, slots=True)
class ClosedInventory:
    """An inventory with its CEB603 record and when it reached 899."""

    inventory_id: int
    invt_no: str
    ebc_code: str
    direction: str
    status: str
    statistics_flag: str
    closed_at: datetime | None
    document_id: int


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _closed_join() -> Select[*tuple[Any, ...]]:
    closing = and_(TransitionRow.inventory_id == InventoryRow.id, TransitionRow.to_status == CLOSED)
    return select(
        InventoryRow.id,
        InventoryRow.invt_no,
        InventoryRow.ebc_code,
        InventoryRow.direction,
        InventoryRow.status,
        InventoryRow.statistics_flag,
        TransitionRow.at,
        InventoryRow.document_id,
    ).outerjoin(TransitionRow, closing)


def _closed(row: Any) -> ClosedInventory:
    return ClosedInventory(
        row[0], row[1] or "", row[2], row[3], row[4], row[5] or "", row[6], row[7]
    )


def closed_in_window(
    session: Session, ebc_code: str, start: datetime, end: datetime
) -> list[ClosedInventory]:
    """The seller's export inventories closed in [start, end] and in no summary yet."""
    taken = exists().where(SummaryItemRow.inventory_id == InventoryRow.id)
    stmt = _closed_join().where(
        InventoryRow.ebc_code == ebc_code,
        InventoryRow.direction == EXPORT,
        InventoryRow.status == CLOSED,
        TransitionRow.at >= start,
        TransitionRow.at <= end,
        ~taken,
    )
    return [_closed(r) for r in session.execute(stmt.order_by(InventoryRow.id))]


def inventories_by_numbers(session: Session, invt_nos: Sequence[str]) -> list[ClosedInventory]:
    out: list[ClosedInventory] = []
    for chunk in _chunks(list(dict.fromkeys(invt_nos))):
        stmt = _closed_join().where(InventoryRow.invt_no.in_(list(chunk)))
        out.extend(_closed(r) for r in session.execute(stmt))
    return out


def records_of(session: Session, document_ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """Document id -> its stored record. Read apart from the choosing query, in id order, so
    only the chosen inventories' records are read; read as text and parsed with orjson, as the
    stock JSON decoding of a month's records is the largest cost of a summary."""
    out: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(sorted(document_ids)):
        stmt = select(DocumentRow.id, sql_cast(DocumentRow.body, Text)).where(
            DocumentRow.id.in_(list(chunk))
        )
        for doc_id, body in session.execute(stmt):
            out[doc_id] = orjson.loads(body)
    return out


def summary_numbers_of(session: Session, inventory_ids: Collection[int]) -> dict[int, str]:
    """Which summary (sumNo) already holds each of these inventories."""
    out: dict[int, str] = {}
    for chunk in _chunks(sorted(inventory_ids)):
        stmt = (
            select(SummaryItemRow.inventory_id, SummaryRow.sum_no)
            .join(SummaryRow, SummaryRow.id == SummaryItemRow.summary_id)
            .where(SummaryItemRow.inventory_id.in_(list(chunk)))
        )
        out.update({r[0]: r[1] for r in session.execute(stmt)})
    return out


def claim(
    session: Session,
    summary_id: int,
    items: Sequence[tuple[int, str, int, str, list[list[Any]]]],
) -> set[int]:
    """Insert one summary_items row per (inventory id, invtNo, declaration id, logisticsNo,
    goods rows) unless the inventory is in a summary already: the unique inventory_id makes
    this the compare-and-set. Returns the inventory ids this call inserted."""
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        make(ITEMS)
        .on_conflict_do_nothing(index_elements=["inventory_id"])
        .returning(ITEMS.c.inventory_id)
    )
    rows: list[dict[str, Any]] = [
        {
            "summary_id": summary_id,
            "inventory_id": inventory_id,
            "invt_no": invt_no,
            "declaration_id": declaration_id,
            "logistics_no": logistics_no,
            "goods": goods,
        }
        # In inventory order, so two claims over the same inventories wait, not deadlock.
        for inventory_id, invt_no, declaration_id, logistics_no, goods in sorted(
            items, key=lambda i: i[0]
        )
    ]
    claimed: set[int] = set()
    conn = session.connection()
    for chunk in _chunks(rows, 10000):
        # One compiled statement, sent as multi-row batches (insertmanyvalues) with RETURNING.
        claimed.update(conn.execute(stmt, list(chunk)).scalars())
    return claimed


def delete_formed(session: Session, summary_id: int) -> None:
    """Undo one attempt of a summary: its items, lines and declarations."""
    decl_ids = select(SummaryDeclarationRow.id).where(
        SummaryDeclarationRow.summary_id == summary_id
    )
    session.execute(delete(ITEMS).where(ITEMS.c.summary_id == summary_id))
    session.execute(delete(LINES).where(LINES.c.declaration_id.in_(decl_ids)))
    session.execute(
        delete(SummaryDeclarationRow).where(SummaryDeclarationRow.summary_id == summary_id)
    )


def insert_lines(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    conn = session.connection()
    for chunk in _chunks(rows):
        conn.execute(LINES.insert(), list(chunk))


def find_summary(session: Session, sum_no: str) -> SummaryRow | None:
    return session.scalars(select(SummaryRow).where(SummaryRow.sum_no == sum_no)).one_or_none()


def find_summary_by_cop_no(session: Session, agent_code: str, cop_no: str) -> SummaryRow | None:
    stmt = select(SummaryRow).where(
        SummaryRow.agent_code == agent_code, SummaryRow.cop_no == cop_no
    )
    return session.scalars(stmt.limit(1)).first()


def list_summaries(
    session: Session, ebc_or_agent: str | None, *, limit: int, offset: int
) -> list[SummaryRow]:
    stmt = select(SummaryRow)
    if ebc_or_agent is not None:
        stmt = stmt.where(
            (SummaryRow.ebc_code == ebc_or_agent) | (SummaryRow.agent_code == ebc_or_agent)
        )
    stmt = stmt.order_by(SummaryRow.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt))


def declarations_of(session: Session, summary_id: int) -> list[SummaryDeclarationRow]:
    stmt = (
        select(SummaryDeclarationRow)
        .where(SummaryDeclarationRow.summary_id == summary_id)
        .order_by(SummaryDeclarationRow.id)
    )
    return list(session.scalars(stmt))


def lines_of(session: Session, declaration_ids: Collection[int]) -> list[SummaryLineRow]:
    if not declaration_ids:
        return []
    stmt = (
        select(SummaryLineRow)
        .where(SummaryLineRow.declaration_id.in_(list(declaration_ids)))
        .order_by(SummaryLineRow.declaration_id, SummaryLineRow.gseqno)
    )
    return list(session.scalars(stmt))


def items_of(session: Session, summary_id: int) -> list[SummaryItemRow]:
    stmt = (
        select(SummaryItemRow)
        .where(SummaryItemRow.summary_id == summary_id)
        .order_by(SummaryItemRow.declaration_id, SummaryItemRow.invt_no)
    )
    return list(session.scalars(stmt))


def trade_modes_of(session: Session, summary_id: int) -> dict[int, frozenset[str]]:
    """Declaration id -> the trade modes (tradeMode) of the inventories it took."""
    stmt = (
        select(SummaryItemRow.declaration_id, InventoryRow.trade_mode)
        .join(InventoryRow, InventoryRow.id == SummaryItemRow.inventory_id)
        .where(SummaryItemRow.summary_id == summary_id)
        .distinct()
    )
    out: dict[int, set[str]] = {}
    for decl_id, mode in session.execute(stmt):
        if decl_id is not None:
            out.setdefault(decl_id, set()).add(mode)
    return {k: frozenset(v) for k, v in out.items()}


def unsummarised_closed_before(
    session: Session, before: datetime, ebc_code: str | None
) -> list[tuple[str, str, datetime]]:
    """(ebcCode, invtNo, closed at) of closed export inventories with statisticsFlag B, closed
    before `before` and in no summary."""
    taken = exists().where(SummaryItemRow.inventory_id == InventoryRow.id)
    stmt = (
        select(InventoryRow.ebc_code, InventoryRow.invt_no, TransitionRow.at)
        .join(TransitionRow, TransitionRow.inventory_id == InventoryRow.id)
        .where(
            InventoryRow.direction == EXPORT,
            InventoryRow.status == CLOSED,
            InventoryRow.statistics_flag == "B",
            TransitionRow.to_status == CLOSED,
            TransitionRow.at < before,
            ~taken,
        )
        .order_by(InventoryRow.ebc_code, TransitionRow.at)
    )
    if ebc_code is not None:
        stmt = stmt.where(InventoryRow.ebc_code == ebc_code)
    return [(r[0], r[1] or "", r[2]) for r in session.execute(stmt)]


def invoices_of(session: Session, ebc_code: str) -> list[PurchaseInvoiceRow]:
    stmt = (
        select(PurchaseInvoiceRow)
        .where(PurchaseInvoiceRow.ebc_code == ebc_code)
        .order_by(PurchaseInvoiceRow.id)
    )
    return list(session.scalars(stmt))


def find_invoice(
    session: Session, ebc_code: str, invoice_code: str, invoice_no: str
) -> PurchaseInvoiceRow | None:
    stmt = select(PurchaseInvoiceRow).where(
        PurchaseInvoiceRow.ebc_code == ebc_code,
        PurchaseInvoiceRow.invoice_code == invoice_code,
        PurchaseInvoiceRow.invoice_no == invoice_no,
    )
    return session.scalars(stmt).one_or_none()


def find_rebate_class(session: Session, ebc_code: str) -> RebateClassRow | None:
    return session.get(RebateClassRow, ebc_code)


def list_rebate_classes(session: Session, ebc_code: str | None) -> list[RebateClassRow]:
    stmt = select(RebateClassRow).order_by(RebateClassRow.ebc_code)
    if ebc_code is not None:
        stmt = stmt.where(RebateClassRow.ebc_code == ebc_code)
    return list(session.scalars(stmt))


def count_items(session: Session, summary_id: int) -> int:
    stmt = select(func.count()).where(SummaryItemRow.summary_id == summary_id)
    return int(session.scalar(stmt) or 0)
