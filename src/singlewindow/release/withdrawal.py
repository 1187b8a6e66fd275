"""Cancels, returns, inspection results and the deadline sweep: the later moves of an inventory."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from singlewindow.declaration import repository, rows
from singlewindow.declaration.domain import DeclarationType, Kind, RecordKeys, ReturnStatus
from singlewindow.declaration.rows import Document, Inventory
from singlewindow.declaration.tables import InventoryRow
from singlewindow.kit.errors import NotFound, Problem
from singlewindow.message import Message
from singlewindow.release.context import ClearanceContext
from singlewindow.release.domain import ReceiptView, Verdict, sender_of
from singlewindow.release.machine import move_inventory, settle, write_receipt
from singlewindow.release.workset import Workset
from singlewindow.tax import service as tax_service

S = ReturnStatus
CANCELLABLE = frozenset({S.TEMPORARILY_SAVED, S.STORED, S.CONCLUDED, S.INSPECTION, S.RELEASED})


def handle_withdrawal(
    ws: Workset,
    ctx: ClearanceContext,
    msg: Message,
    dt: DeclarationType,
    record: Mapping[str, Any],
    keys: RecordKeys,
    now: datetime,
    actor: str,
) -> ReceiptView:
    """A cancel (CEB623/605) refuses the inventory and gives its quota back; a return
    (CEB625/213) within the return window gives the quota back and voids the tax bill."""
    session = ws.session
    cop = sender_of(msg)
    inventory = ws.inv_by_invt_no.get(keys.invt_no) if keys.invt_no else None

    def answer(status: str, reasons: tuple[str, ...], info: str = "") -> ReceiptView:
        return write_receipt(
            session,
            None,
            status,
            reasons,
            now=now,
            message_guid=msg.guid,
            initial=True,
            message_type=msg.message_type,
            record_guid=keys.guid,
            keys=keys.receipt_fields(),
            recipient=cop,
            info=info,
        )

    if inventory is None:
        return answer(
            S.REFUSED,
            ("declaration.inventory_not_found",),
            f"清单 {keys.invt_no} 不存在 / no inventory {keys.invt_no}",
        )
    ws.add_document(
        Document(
            id=0,
            message_guid=msg.guid,
            record_guid=keys.guid,
            message_type=msg.message_type,
            kind=dt.kind,
            direction=dt.direction,
            doc_key=f"{keys.invt_no}|{keys.guid}",
            order_key="",
            logistics_key="",
            cop_code=cop,
            parties=cop,
            app_status=keys.app_status,
            status=S.STORED,
            version=1,
            received_at=now,
            body=dict(record),
        )
    )
    doc = ws.document_of(inventory)
    if dt.kind == Kind.CANCEL:
        if inventory.status not in CANCELLABLE:
            return answer(
                S.REFUSED,
                ("release.not_cancellable",),
                f"清单状态 {inventory.status} 不可撤销 / status {inventory.status} "
                "cannot be cancelled",
            )
        voided = tax_service.give_back_quota(session, inventory.id, now, "release.cancelled")
        move_inventory(
            session,
            inventory,
            doc,
            Verdict(S.REFUSED, ("release.cancelled",), facts={"tax_voided_fen": voided}),
            actor=actor,
            now=now,
            message_guid=doc.message_guid,
            initial=False,
        )
        return answer(S.CONCLUDED, (), "撤销成功 cancelled")
    # Return (退货).
    if inventory.status not in (S.RELEASED, S.CLOSED) or inventory.released_at is None:
        return answer(
            S.REFUSED,
            ("release.not_released",),
            "清单未放行，不能退货 / the inventory is not released: no return",
        )
    if now - inventory.released_at > ctx.return_window:
        return answer(
            S.STORED,
            ("tax.return_window_passed",),
            "退货已登记；超过放行后 30 日，额度不予恢复 / return recorded after the"
            " 30-day window: quota not given back",
        )
    tax_service.give_back_quota(session, inventory.id, now, "release.returned")
    return answer(S.CONCLUDED, (), "退货成功，额度已恢复 / returned: quota given back")


def record_inspection(
    session: Session,
    ctx: ClearanceContext,
    invt_no: str,
    *,
    passed: bool,
    actor: str,
    note: str = "",
) -> ReceiptView:
    """An officer's inspection result: 500 → 800, or 500 → 100 with the quota given back."""
    now = ctx.clock()
    found = rows.read(session, Inventory, InventoryRow.invt_no == invt_no)
    inventory = found[0] if found else None
    if inventory is None or inventory.status != S.INSPECTION:
        raise NotFound(
            [
                Problem(
                    "release.not_under_inspection",
                    f"清单 {invt_no} 不在查验状态",
                    f"inventory {invt_no} is not under inspection",
                )
            ]
        )
    repository.lock_keys(session, [f"buyer|{inventory.buyer_id_number}"])
    doc = rows.documents_by_ids(session, [inventory.document_id])[inventory.document_id]
    if passed:
        verdict = Verdict(S.RELEASED, ("inspection.passed",), facts={"note": note})
    else:
        voided = tax_service.give_back_quota(session, inventory.id, now, "inspection.failed")
        verdict = Verdict(
            S.REFUSED, ("inspection.failed",), facts={"note": note, "tax_voided_fen": voided}
        )
    receipt = move_inventory(
        session,
        inventory,
        doc,
        verdict,
        actor=actor,
        now=now,
        message_guid=doc.message_guid,
        initial=False,
    )
    assert receipt is not None
    settle(session)
    return receipt


def sweep(session: Session, ctx: ClearanceContext, *, actor: str = "sweep") -> int:
    """Refuse inventories that waited for their documents past the deadline; returns how many."""
    now = ctx.clock()
    stale = rows.read(
        session,
        Inventory,
        InventoryRow.status == S.STORED,
        InventoryRow.first_doc_at < now - ctx.wait_deadline,
    )
    docs = rows.documents_by_ids(session, [i.document_id for i in stale])
    count = 0
    for inventory in stale:
        doc = docs[inventory.document_id]
        move_inventory(
            session,
            inventory,
            doc,
            Verdict(
                S.REFUSED,
                ("comparison.deadline_exceeded",),
                facts={
                    "first_document_at": inventory.first_doc_at.isoformat(),
                    "deadline_hours": ctx.wait_deadline.total_seconds() / 3600,
                },
            ),
            actor=actor,
            now=now,
            message_guid=doc.message_guid,
            initial=False,
        )
        count += 1
    settle(session)
    return count
