"""Inventory reads the console needs beyond `release.views`: a scoped, paged search and the
documents an inventory was built from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from singlewindow.auth.domain import Principal
from singlewindow.declaration import repository
from singlewindow.declaration.domain import DECLARATION_TYPES
from singlewindow.declaration.tables import DocumentRow, InventoryRow
from singlewindow.release.views import visible_to

PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class InventoryFilter:
    invt_no: str = ""
    order_no: str = ""
    ebc_code: str = ""
    status: str = ""


@dataclass(frozen=True, slots=True)
class InventoryLine:
    invt_no: str | None
    order_no: str
    ebp_code: str
    ebc_code: str
    direction: str
    trade_mode: str
    status: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class InventoryPage:
    lines: tuple[InventoryLine, ...]
    total: int
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class LinkedDocument:
    message_type: str
    kind: str
    doc_key: str
    cop_code: str
    status: str
    received_at: datetime


def _scoped(stmt: Select[InventoryRow], principal: Principal) -> Select[InventoryRow]:
    """The search's form of `release.views.visible_to`: a party to the parcel, or an agency."""
    code = principal.enterprise_code
    if code is None:
        return stmt
    return stmt.where(
        or_(
            InventoryRow.ebc_code == code,
            InventoryRow.ebp_code == code,
            InventoryRow.agent_code == code,
            InventoryRow.logistics_code == code,
        )
    )


def search_inventories(
    session: Session, principal: Principal, wanted: InventoryFilter, *, page: int = 1
) -> InventoryPage:
    """Exact matches on each given field, newest change first, `PAGE_SIZE` a page."""
    stmt = _scoped(select(InventoryRow), principal)
    for column, value in (
        (InventoryRow.invt_no, wanted.invt_no),
        (InventoryRow.order_no, wanted.order_no),
        (InventoryRow.ebc_code, wanted.ebc_code),
        (InventoryRow.status, wanted.status),
    ):
        if value:
            stmt = stmt.where(column == value)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.scalars(
        stmt.order_by(InventoryRow.updated_at.desc(), InventoryRow.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    lines = tuple(
        InventoryLine(
            r.invt_no,
            r.order_no,
            r.ebp_code,
            r.ebc_code,
            r.direction,
            r.trade_mode,
            r.status,
            r.updated_at,
        )
        for r in rows
    )
    return InventoryPage(lines, total, page, pages)


def linked_documents(
    session: Session,
    principal: Principal,
    *,
    invt_no: str | None = None,
    order_no: str | None = None,
    ebp_code: str | None = None,
) -> list[LinkedDocument]:
    """The inventory's own record and the order, payment and waybill records that share its
    order or logistics key, oldest first. Empty when the inventory is out of scope."""
    inventory = repository.find_inventory(
        session, invt_no=invt_no, order_no=order_no, ebp_code=ebp_code
    )
    if inventory is None or not visible_to(inventory, principal):
        return []
    types = [t for t, d in DECLARATION_TYPES.items() if d.direction == inventory.direction]
    found: dict[int, DocumentRow] = dict(
        repository.documents_by_ids(session, [inventory.document_id])
    )
    for row in repository.documents_by_order_key(session, types, [inventory.order_key]):
        found[row.id] = row
    if inventory.logistics_key:
        for row in repository.documents_by_logistics_key(session, types, [inventory.logistics_key]):
            found[row.id] = row
    return [
        LinkedDocument(d.message_type, d.kind, d.doc_key, d.cop_code, d.status, d.received_at)
        for d in sorted(found.values(), key=lambda d: (d.received_at, d.id))
    ]
