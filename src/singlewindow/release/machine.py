"""The inventory status machine: the one place an inventory's status changes.

Every move is compare-and-set on the status expected and leaves a transition row (time, actor,
reason codes, facts) and a receipt for the declarant.
"""

from __future__ import annotations

import functools
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.orm import Session

from singlewindow.audit import service as audit
from singlewindow.audit.domain import Action
from singlewindow.db.bulk import insert_rows
from singlewindow.declaration import rows
from singlewindow.declaration.domain import DECLARATION_TYPES, ReturnStatus
from singlewindow.declaration.rows import Document, Inventory
from singlewindow.declaration.rules import record_keys
from singlewindow.declaration.tables import ReceiptRow, TransitionRow
from singlewindow.kit.clock import CST
from singlewindow.kit.money import yuan_to_fen
from singlewindow.recording.service import merge, rows_for_transition, write_rows
from singlewindow.release.domain import ReceiptView, Verdict
from singlewindow.tax import service as tax

S = ReturnStatus

# Moves the standard's status flow allows (SPEC §11.6, the clearance issue §6).
ALLOWED: dict[str, frozenset[str]] = {
    "": frozenset({S.TEMPORARILY_SAVED, S.STORED, S.REFUSED}),
    S.TEMPORARILY_SAVED: frozenset({S.STORED, S.REFUSED, S.TEMPORARILY_SAVED}),
    S.STORED: frozenset({S.STORED, S.REFUSED, S.RELEASED, S.INSPECTION, S.CONCLUDED}),
    S.CONCLUDED: frozenset({S.RELEASED, S.INSPECTION, S.REFUSED}),
    S.INSPECTION: frozenset({S.RELEASED, S.REFUSED}),
    S.RELEASED: frozenset({S.CLOSED, S.REFUSED}),
    S.CLOSED: frozenset(),
    S.REFUSED: frozenset({S.STORED, S.TEMPORARILY_SAVED, S.REFUSED}),
}

RETURN_INFO: dict[str, str] = {
    S.TEMPORARILY_SAVED: "电子口岸已暂存 temporarily saved",
    S.DECLARING: "电子口岸申报中 declaring",
    S.STORED: "海关入库 stored",
    S.CONCLUDED: "海关审结 concluded",
    S.INSPECTION: "查验 selected for inspection",
    S.RELEASED: "放行 released",
    S.CLOSED: "结关 closed",
    S.REFUSED: "海关退单 refused",
}


class TransitionRefused(Exception):
    """The inventory was not in the status expected (somebody else moved it first)."""


def info_for(status: str, reasons: tuple[str, ...]) -> str:
    base = RETURN_INFO.get(status, status)
    return f"{base}: {', '.join(reasons)}" if reasons else base


def move_inventory(
    session: Session,
    inventory: Inventory,
    document: Document,
    verdict: Verdict,
    *,
    actor: str,
    now: datetime,
    message_guid: str,
    initial: bool,
    receipt: bool = True,
    **columns: Any,
) -> ReceiptView | None:
    """Move an inventory to the verdict's status (compare-and-set), record why, and receipt it
    (`receipt=False` for a step that is immediately followed by another, e.g. stored → released)."""
    expected = inventory.status
    if verdict.status not in ALLOWED.get(expected, frozenset()):
        raise TransitionRefused(f"{expected} -> {verdict.status} is not a move the standard has")
    # Written with the batch's other rows: the update of a stored inventory's status only
    # matches while the stored status is still the one read (rows.write_rows, compare-and-set).
    inventory.status = verdict.status
    inventory.updated_at = now
    for name, value in columns.items():
        setattr(inventory, name, value)
    _pending(session)["transitions"].append(
        {
            "inventory_id": inventory.id,
            "at": now,
            "from_status": expected,
            "to_status": verdict.status,
            "actor": actor,
            "reasons": list(verdict.reasons),
            "facts": verdict.facts,
        }
    )
    audit.record(
        session,
        actor=actor,
        action=Action.INVENTORY_TRANSITION,
        subject=f"inventory:{inventory.invt_no}",
        details={
            "from": expected,
            "to": verdict.status,
            "reasons": list(verdict.reasons),
            "messageGuid": message_guid,
        },
        at=now,
    )
    rollup = rows_for_transition(
        session,
        inventory=inventory,
        body=document.body,
        from_status=expected,
        to_status=verdict.status,
        reasons=verdict.reasons,
        at=now,
        declared_at=document.received_at,
        tax_fen=_tax_change(verdict),
    )
    if rollup is not None:
        _pending(session)["rollups"].append(rollup)
    document.status = verdict.status
    if not receipt:
        return None
    return write_receipt(
        session,
        document,
        verdict.status,
        verdict.reasons,
        now=now,
        message_guid=message_guid,
        initial=initial,
        inventory=inventory,
        info=verdict.info,
    )


def _tax_change(verdict: Verdict) -> int:
    """The tax this move bills (+, the import verdict's tax bill) or voids (−), in fen."""
    tax = verdict.facts.get("tax")
    if isinstance(tax, dict) and verdict.status in (ReturnStatus.RELEASED, ReturnStatus.INSPECTION):
        return yuan_to_fen(Decimal(str(tax["total"])))
    return -int(verdict.facts.get("tax_voided_fen", 0) or 0)


def write_receipt(
    session: Session,
    document: Document | None,
    status: str,
    reasons: tuple[str, ...],
    *,
    now: datetime,
    message_guid: str,
    initial: bool,
    inventory: Inventory | None = None,
    info: str = "",
    message_type: str = "",
    record_guid: str = "",
    keys: dict[str, str] | None = None,
    recipient: str = "",
) -> ReceiptView:
    """Store a receipt for one business record and return its view."""
    mt = document.message_type if document is not None else message_type
    dt = DECLARATION_TYPES.get(mt)
    if keys is not None:
        key_fields = dict(keys)
    else:
        key_fields = record_keys(document.body).receipt_fields() if document is not None else {}
    if inventory is not None and inventory.invt_no:
        key_fields["invtNo"] = inventory.invt_no
    text = info or info_for(status, reasons)
    row: dict[str, Any] = {
        "message_guid": message_guid,
        "record_guid": document.record_guid if document is not None else record_guid,
        "message_type": mt,
        "receipt_type": dt.receipt_type if dt else "CEB900",
        "recipient": document.cop_code if document is not None else recipient,
        "inventory_id": inventory.id if inventory is not None else None,
        "initial": initial,
        "return_status": status,
        "return_info": text[:1000],
        "reasons": list(reasons),
        "keys": key_fields,
        "at": now,
    }
    _pending(session)["receipts"].append(row)
    return ReceiptView(
        message_type=mt,
        message_guid=message_guid,
        guid=row["record_guid"],
        keys=dict(key_fields),
        return_status=status,
        return_info=row["return_info"],
        reasons=tuple(reasons),
        time=_stamp(now),
    )


def view_of(row: ReceiptRow) -> ReceiptView:
    return ReceiptView(
        message_type=row.message_type,
        message_guid=row.message_guid,
        guid=row.record_guid,
        keys=dict(row.keys),
        return_status=row.return_status,
        return_info=row.return_info,
        reasons=tuple(row.reasons),
        time=_stamp(row.at),
    )


@functools.lru_cache(maxsize=64)  # a batch stamps every receipt with the same time
def _stamp(at: datetime) -> str:
    """`returnTime` of the standard: yyyyMMddHHmmssSSS on the platform's clock (CST)."""
    return at.astimezone(CST).strftime("%Y%m%d%H%M%S%f")[:17]


# Transitions, receipts and statistics roll-ups are many and never read back in the transaction
# that writes them: they are collected and written in one statement per table after the
# session's own rows.
_PENDING = "singlewindow.release.pending"
_TRANSITIONS: Table = TransitionRow.__table__  # type: ignore[assignment]
_RECEIPTS: Table = ReceiptRow.__table__  # type: ignore[assignment]


def _pending(session: Session) -> dict[str, list[Any]]:
    pending: dict[str, list[Any]] = session.info.setdefault(
        _PENDING, {"transitions": [], "receipts": [], "rollups": []}
    )
    return pending


def settle(session: Session) -> None:
    """Write everything the clearance path has collected: documents and inventories, the
    session's ORM rows, then transitions, receipts and roll-ups (which refer to them)."""
    rows.write_rows(session)
    session.flush()
    write_pending(session)


def write_pending(session: Session) -> None:
    """Write the collected transitions and receipts now (the session's rows must be flushed)."""
    tax.write_pending(session)
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    connection = session.connection()
    insert_rows(connection, _TRANSITIONS, pending["transitions"])
    insert_rows(connection, _RECEIPTS, pending["receipts"])
    if pending["rollups"]:
        # The statistics roll-ups of every move of the batch, in a few statements.
        with session.no_autoflush:
            write_rows(session, merge(pending["rollups"]))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    write_pending(session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    settle(session)
