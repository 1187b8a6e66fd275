"""Clearance of inventories: wait for the three documents, compare, tax, risk, release.

Import (CEB621 against 311/411/511): a pass goes to 800 at once (500 if selected for
inspection). Export (CEB603 against 303/403/505): a pass waits at 399 for the arrival report
CEB507 naming its logisticsNo, then 800 (or 500), and 899 after the departure report CEB509.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from singlewindow.comparison.rules import compare_export, compare_import
from singlewindow.declaration.domain import DeclarationType, Kind, RecordKeys, ReturnStatus
from singlewindow.declaration.rows import Document, Inventory
from singlewindow.declaration.rules import head_of, lines_of
from singlewindow.kit.clock import CST
from singlewindow.kit.money import format_yuan
from singlewindow.message import Message
from singlewindow.release import facts
from singlewindow.release.context import ClearanceContext
from singlewindow.release.domain import ReceiptView, Verdict, sender_of
from singlewindow.release.machine import move_inventory, write_receipt
from singlewindow.release.workset import Workset
from singlewindow.risk.domain import RiskDecision, RiskFacts
from singlewindow.risk.rules import evaluate_risk
from singlewindow.tax import service as tax_service
from singlewindow.tax.rules import assess_import_tax

S = ReturnStatus

# The three documents an inventory is compared with, by direction (SPEC §4).
COMPANIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "I": (
        ("order", "CEB311", "order_key"),
        ("payment", "CEB411", "order_key"),
        ("waybill", "CEB511", "logistics_key"),
    ),
    "E": (
        ("order", "CEB303", "order_key"),
        ("receipt", "CEB403", "order_key"),
        ("waybill", "CEB505", "logistics_key"),
    ),
}
MISSING_REASON = {
    "order": "comparison.order_missing",
    "payment": "comparison.payment_missing",
    "receipt": "comparison.receipt_missing",
    "waybill": "comparison.waybill_missing",
}


def declare_inventory(
    ws: Workset,
    ctx: ClearanceContext,
    document: Document,
    inventory: Inventory | None,
    record: Mapping[str, Any],
    keys: RecordKeys,
    now: datetime,
    actor: str,
    message_guid: str,
) -> ReceiptView:
    session = ws.session
    h = head_of(record)
    linked = _companions(ws, document.direction, document.order_key, document.logistics_key)
    first = min([now, *(d.received_at for d in linked.values())])
    columns: dict[str, Any] = {
        "order_key": document.order_key,
        "logistics_key": document.logistics_key,
        "order_no": keys.order_no,
        "ebp_code": keys.ebp_code,
        "ebc_code": keys.ebc_code,
        "agent_code": keys.agent_code,
        "logistics_code": keys.logistics_code,
        "logistics_no": keys.logistics_no,
        "buyer_id_number": str(h.get("buyerIdNumber") or ""),
        "trade_mode": str(h.get("tradeMode") or ""),
        "statistics_flag": str(h.get("statisticsFlag") or ""),
    }
    if inventory is None:
        inventory = Inventory(
            id=ws.new_inventory_id(),
            direction=document.direction,
            status="",
            first_doc_at=first,
            updated_at=now,
            **columns,
        )
        # invtNo: 4-digit customs district + 4-digit year + I/E + serial (SPEC §1.3).
        year = now.astimezone(CST).year
        inventory.invt_no = (
            f"{h.get('customsCode', '0000')}{year}{document.direction}{inventory.id:09d}"
        )
        ws.add_inventory(inventory, document)
    else:
        for name, value in columns.items():
            setattr(inventory, name, value)
    if keys.app_status == "1":
        receipt = move_inventory(
            session,
            inventory,
            document,
            Verdict(S.TEMPORARILY_SAVED),
            actor=actor,
            now=now,
            message_guid=message_guid,
            initial=True,
        )
        assert receipt is not None
        return receipt
    receipt = decide(
        ws,
        ctx,
        inventory,
        document,
        now=now,
        actor=actor,
        message_guid=message_guid,
        initial=True,
        linked=linked,
    )
    assert receipt is not None  # the inventory's own message is always answered
    return receipt


def _companions(
    ws: Workset, direction: str, order_key: str, logistics_key: str
) -> dict[str, Document]:
    found: dict[str, Document] = {}
    for role, message_type, key_name in COMPANIONS[direction]:
        if key_name == "order_key":
            rows = ws.documents_by_order_key((message_type,), order_key) if order_key else []
        else:
            rows = (
                ws.documents_by_logistics_key((message_type,), logistics_key)
                if logistics_key
                else []
            )
        for row in rows:
            if row.status == S.STORED and row.app_status == "2":
                found[role] = row
    return found


def decide(
    ws: Workset,
    ctx: ClearanceContext,
    inventory: Inventory,
    document: Document,
    *,
    now: datetime,
    actor: str,
    message_guid: str,
    initial: bool,
    linked: dict[str, Document] | None = None,
) -> ReceiptView | None:
    """Compare an inventory with its documents when all are there; otherwise it waits (120).
    A receipt answers the inventory's own message, and every later change of status; a
    companion that arrives while others are still missing changes nothing and says nothing."""
    session = ws.session
    if linked is None:
        linked = _companions(ws, inventory.direction, inventory.order_key, inventory.logistics_key)
    roles = [role for role, _, _ in COMPANIONS[inventory.direction]]
    missing = tuple(MISSING_REASON[r] for r in roles if r not in linked)
    if missing:
        if inventory.status == S.STORED:
            if not initial:
                return None
            return write_receipt(
                session,
                document,
                S.STORED,
                missing,
                now=now,
                message_guid=message_guid,
                initial=initial,
                inventory=inventory,
            )
        receipt = move_inventory(
            session,
            inventory,
            document,
            Verdict(S.STORED, missing),
            actor=actor,
            now=now,
            message_guid=message_guid,
            initial=initial,
        )
        assert receipt is not None
        return receipt
    if inventory.status != S.STORED:
        move_inventory(
            session,
            inventory,
            document,
            Verdict(S.STORED),
            actor=actor,
            now=now,
            message_guid=message_guid,
            initial=initial,
            receipt=False,
        )
    if inventory.direction == "I":
        verdict = _import_verdict(ws, ctx, inventory, document, linked, now)
    else:
        verdict = _export_verdict(ctx, inventory, document, linked)
    released_at = now if verdict.status in (S.RELEASED, S.INSPECTION) else None
    extra: dict[str, Any] = {"released_at": released_at} if released_at else {}
    receipt = move_inventory(
        session,
        inventory,
        document,
        verdict,
        actor=actor,
        now=now,
        message_guid=message_guid,
        initial=initial,
        **extra,
    )
    assert receipt is not None
    if verdict.status == S.CONCLUDED and inventory.logistics_key:
        # The arrival report may have come first: release at once.
        arrived = ws.documents_by_logistics_key(("CEB507",), inventory.logistics_key)
        if any(a.app_status == "2" for a in arrived):
            release_arrived(ws, ctx, [inventory.logistics_key], now, actor)
    return receipt


def _import_verdict(
    ws: Workset,
    ctx: ClearanceContext,
    inventory: Inventory,
    document: Document,
    linked: dict[str, Document],
    now: datetime,
) -> Verdict:
    inv = facts.inventory_facts(document.body)
    order = facts.order_facts(linked["order"].body)
    payment = facts.payment_facts(linked["payment"].body)
    waybill = facts.waybill_facts(linked["waybill"].body)
    buyer_ok = ctx.identity.check(inv.buyer_id_type, inv.buyer_id_number, inv.buyer_name).verified
    payer_ok = ctx.identity.check(
        payment.payer_id_type, payment.payer_id_number, payment.payer_name
    ).verified
    year = now.astimezone(CST).year
    ws.load_quota([inv.buyer_id_number])
    quota = ws.quota.get((inv.buyer_id_number, year))
    used = quota.used_fen if quota is not None else 0
    items = sum((line.qty for line in order.lines), Decimal(0))
    assessment = assess_import_tax(
        facts.taxable_lines(document.body),
        freight=inv.freight,
        insured_fee=inv.insured_fee,
        buyer_used_fen=used,
        rates=ctx.rates,
        items=int(items) if items else None,
    )
    no_rate = any(r.code == "tax.no_rate" for r in assessment.reasons)
    comparison = compare_import(
        inv,
        order,
        payment,
        waybill,
        platform_tax_fen=None if no_rate else assessment.total_fen,
        buyer_identity_verified=buyer_ok,
        payer_identity_verified=payer_ok,
    )
    fact_sheet: dict[str, Any] = {
        "documents": {role: row.record_guid for role, row in linked.items()},
        "comparison": [facts.reason_dict(r) for r in comparison.reasons],
        "tax": facts.tax_dict(assessment),
        "buyer_quota_used_before": format_yuan(used),
        "identity": {"buyer_verified": buyer_ok, "payer_verified": payer_ok},
    }
    risk, fact_sheet["risk"] = _risk(ws, ctx, inventory, document)
    # Every refusal reason is kept, negative lists first: a listed commodity often has no rate.
    reasons = [r.code for r in risk.reasons] if risk.refused else []
    reasons += [r.code for r in comparison.reasons]
    if not assessment.allowed:
        reasons += [r.code for r in assessment.reasons]
    if reasons:
        return Verdict(S.REFUSED, tuple(dict.fromkeys(reasons)), facts=fact_sheet)
    tax_service.record_tax(
        ws.session,
        inventory.id,
        inventory.invt_no or "",
        inv.buyer_id_number,
        year,
        assessment,
        now,
    )
    status = S.INSPECTION if risk.inspect else S.RELEASED
    return Verdict(status, tuple(r.code for r in risk.reasons), facts=fact_sheet)


def _export_verdict(
    ctx: ClearanceContext,
    inventory: Inventory,
    document: Document,
    linked: dict[str, Document],
) -> Verdict:
    comparison = compare_export(
        facts.export_inventory_facts(document.body),
        facts.export_order_facts(linked["order"].body),
        facts.receipt_facts(linked["receipt"].body),
        facts.export_waybill_facts(linked["waybill"].body),
    )
    fact_sheet: dict[str, Any] = {
        "documents": {role: row.record_guid for role, row in linked.items()},
        "comparison": [facts.reason_dict(r) for r in comparison.reasons],
    }
    if not comparison.passed:
        codes = tuple(dict.fromkeys(r.code for r in comparison.reasons))
        return Verdict(S.REFUSED, codes, facts=fact_sheet)
    return Verdict(S.CONCLUDED, (), facts=fact_sheet)


def _risk(
    ws: Workset, ctx: ClearanceContext, inventory: Inventory, document: Document
) -> tuple[RiskDecision, dict[str, Any]]:
    ws.add_enterprises([inventory.ebc_code])
    seller = ws.enterprises.get(inventory.ebc_code)
    credit = str(seller.credit_class) if seller is not None else "regular"
    lines = lines_of(document.body)
    decision = evaluate_risk(
        RiskFacts(
            key=inventory.invt_no or str(inventory.id),
            ebc_code=inventory.ebc_code,
            credit_class=credit,
            hs_codes=tuple(str(line.get("gcode", "")) for line in lines),
            item_nos=tuple(str(line.get("itemNo") or "") for line in lines),
            parties=frozenset(
                {
                    inventory.ebc_code,
                    inventory.ebp_code,
                    inventory.agent_code,
                    inventory.logistics_code,
                }
            ),
        ),
        ctx.risk,
    )
    return decision, {
        "credit_class": credit,
        "rate": str(decision.rate),
        "draw": str(decision.draw),
        "reasons": [r.code for r in decision.reasons],
    }


def recheck_waiting(
    ws: Workset, ctx: ClearanceContext, document: Document, now: datetime, actor: str
) -> None:
    """A companion document arrived: compare the inventories that were waiting for it."""
    waiting = ws.inventories_by_keys(
        order_keys=[document.order_key] if document.order_key else [],
        logistics_keys=[document.logistics_key] if document.logistics_key else [],
        statuses=[S.STORED],
    )
    for inventory in waiting:
        inv_doc = ws.document_of(inventory)
        if inv_doc.direction != document.direction or inv_doc.app_status != "2":
            continue
        decide(
            ws,
            ctx,
            inventory,
            inv_doc,
            now=now,
            actor=actor,
            message_guid=inv_doc.message_guid,
            initial=False,
        )


def handle_movement(
    ws: Workset,
    ctx: ClearanceContext,
    msg: Message,
    dt: DeclarationType,
    record: Mapping[str, Any],
    keys: RecordKeys,
    now: datetime,
    actor: str,
) -> ReceiptView:
    """Arrival (CEB507) releases concluded export inventories; departure (CEB509) closes
    released ones. Each listed parcel is stored as its own movement document."""
    head = head_of(record)
    logistics_code = str(head.get("logisticsCode") or "")
    cop = sender_of(msg)
    lkeys = []
    for line in lines_of(record):
        lkey = f"{logistics_code}|{line.get('logisticsNo', '')}"
        lkeys.append(lkey)
        ws.add_document(
            Document(
                id=0,
                message_guid=msg.guid,
                record_guid=keys.guid,
                message_type=msg.message_type,
                kind=dt.kind,
                direction="E",
                doc_key=f"{keys.guid}|{line.get('gnum', '')}",
                order_key="",
                logistics_key=lkey,
                cop_code=cop,
                parties=cop,
                app_status=keys.app_status,
                status=S.STORED,
                version=1,
                received_at=now,
                body={"head": dict(head), "line": dict(line)},
            )
        )
    if keys.app_status == "2":
        if dt.kind == Kind.ARRIVAL:
            release_arrived(ws, ctx, lkeys, now, actor)
        else:
            close_departed(ws, lkeys, now, actor)
    return write_receipt(
        ws.session,
        None,
        S.STORED,
        (),
        now=now,
        message_guid=msg.guid,
        initial=True,
        message_type=msg.message_type,
        record_guid=keys.guid,
        keys={"logisticsCode": logistics_code},
        recipient=cop,
    )


def release_arrived(
    ws: Workset, ctx: ClearanceContext, logistics_keys: list[str], now: datetime, actor: str
) -> None:
    for inventory in ws.inventories_by_keys(logistics_keys=logistics_keys, statuses=[S.CONCLUDED]):
        document = ws.document_of(inventory)
        decision, sheet = _risk(ws, ctx, inventory, document)
        if decision.refused:
            verdict = Verdict(
                S.REFUSED, tuple(r.code for r in decision.reasons), facts={"risk": sheet}
            )
        else:
            status = S.INSPECTION if decision.inspect else S.RELEASED
            verdict = Verdict(
                status,
                tuple(r.code for r in decision.reasons),
                facts={"risk": sheet, "arrival": True},
            )
        extra: dict[str, Any] = {} if verdict.status == S.REFUSED else {"released_at": now}
        move_inventory(
            ws.session,
            inventory,
            document,
            verdict,
            actor=actor,
            now=now,
            message_guid=document.message_guid,
            initial=False,
            **extra,
        )
        if verdict.status == S.RELEASED:
            # The departure report may have come before the release: close at once.
            departed = ws.documents_by_logistics_key(("CEB509",), inventory.logistics_key)
            if any(d.app_status == "2" for d in departed):
                close_departed(ws, [inventory.logistics_key], now, actor)


def close_departed(ws: Workset, logistics_keys: list[str], now: datetime, actor: str) -> None:
    for inventory in ws.inventories_by_keys(logistics_keys=logistics_keys, statuses=[S.RELEASED]):
        if inventory.direction != "E":
            continue
        document = ws.document_of(inventory)
        move_inventory(
            ws.session,
            inventory,
            document,
            Verdict(S.CLOSED, (), facts={"departure": True}),
            actor=actor,
            now=now,
            message_guid=document.message_guid,
            initial=False,
        )
