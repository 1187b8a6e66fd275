"""Summary declaration use cases: accept a CEB701, answer CEB702, form the declarations and
their CEB792 results at once; the same summarising for the CLI (`summary run`).

Order for a message: decode → CEB701 only → guid reuse → sender (filed, role, key, signature)
→ per SummaryApply: the sender is its seller or agent → flags and window → choose inventories →
claim them (insert into summary_items; an inventory already in a summary is left out) → group
→ store declarations, lines and the (invtNo, gnum) → gseqno map.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from singlewindow.declaration import repository as declarations
from singlewindow.declaration.tables import MessageRow
from singlewindow.kit.clock import CST
from singlewindow.kit.errors import DomainError
from singlewindow.kit.ids import new_guid
from singlewindow.message import FormatInvalid, HostileInput, Unparsable, decode, record_to_json
from singlewindow.registry import service as registry
from singlewindow.release.border import judge_sender
from singlewindow.release.domain import sender_of
from singlewindow.summary import repository
from singlewindow.summary.domain import (
    Exclusion,
    InventoryFacts,
    SummaryError,
    SummaryFlag,
    SummaryReceipt,
    SummaryStatus,
    summary_error,
)
from singlewindow.summary.repository import CLOSED, EXPORT, ClosedInventory
from singlewindow.summary.rules import (
    decimal_text,
    group_inventories,
    inventory_facts,
    month_bounds,
    month_of,
    parse_window,
)
from singlewindow.summary.tables import SummaryDeclarationRow, SummaryRow

RETURN_SAVED = "1"  # 电子口岸已暂存
RETURN_REFUSED = "100"
RETURN_CONCLUDED = "399"  # 审结: the declarations are formed
DEC_STATE_FORMED = "1"  # the platform's own decState: formed, not yet declared to customs


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    """What one SummaryApply (or `summary run`) asks for."""

    customs_code: str
    cop_no: str
    agent_code: str
    agent_name: str
    ebc_code: str
    ebc_name: str
    decl_agent_code: str
    decl_agent_name: str
    summary_flag: SummaryFlag
    item_name_flag: bool
    window: tuple[datetime, datetime] | None
    invt_nos: tuple[str, ...]
    guid: str = ""
    message_guid: str = ""


def submit_summary(
    session: Session, data: bytes, *, submitter: str, actor: str, now: datetime
) -> list[SummaryReceipt]:
    """Judge one CEB701 message and summarise each SummaryApply it carries."""
    try:
        msg = decode(data)
    except (FormatInvalid, HostileInput, Unparsable) as exc:
        raise SummaryError(list(exc.problems)) from None
    if msg.message_type != "CEB701":
        raise summary_error(
            "summary.not_ceb701",
            f"汇总申请须为 CEB701 报文，收到 {msg.message_type}",
            f"a summary application is a CEB701 message, not {msg.message_type}",
        )
    if msg.guid in declarations.find_messages(session, [msg.guid]):
        raise summary_error(
            "message.guid_reused",
            f"报文编号 {msg.guid} 已使用",
            f"message guid {msg.guid} was used before",
        )
    cop = sender_of(msg)
    refusal = judge_sender(msg, data, registry.get_enterprises(session, {cop}), submitter)
    stamp = _stamp(now)
    bodies = [record_to_json(r) for r in msg.records]
    if refusal is not None:
        return [_refused(msg.guid, b, refusal, stamp) for b in bodies]
    session.add(
        MessageRow(
            guid=msg.guid,
            sha256=hashlib.sha256(data).hexdigest(),
            message_type=msg.message_type,
            cop_code=cop,
            received_at=now,
            record_count=len(msg.records),
            raw=data,
        )
    )
    session.flush()
    receipts: list[SummaryReceipt] = []
    for body in bodies:
        try:
            receipts.append(_apply(session, msg.guid, cop, body, now, actor))
        except SummaryError as exc:
            receipts.append(_refused(msg.guid, body, exc, stamp))
    return receipts


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d%H%M%S%f")[:17]


def _head(body: dict[str, Any]) -> dict[str, str]:
    head = body["SummaryApplyHead"]
    assert isinstance(head, dict)
    return head


def _refused(
    message_guid: str, body: dict[str, Any], error: DomainError, stamp: str
) -> SummaryReceipt:
    head = _head(body)
    info = "; ".join(f"{p.message_zh} / {p.message_en}" for p in error.problems)
    return SummaryReceipt(
        message_guid=message_guid,
        guid=head.get("guid", ""),
        agent_code=head.get("agentCode", ""),
        ebc_code=head.get("ebcCode", ""),
        cop_no=head.get("copNo", ""),
        pre_no="",
        sum_no="",
        msg_seq_no=head.get("msgSeqNo", "1"),
        return_status=RETURN_REFUSED,
        return_time=stamp,
        return_info=info[:1000],
        reasons=tuple(dict.fromkeys(p.code for p in error.problems)),
    )


def _request_of(body: dict[str, Any], message_guid: str) -> SummaryRequest:
    head = _head(body)
    flag = head.get("summaryFlag", "")
    if flag not in {f.value for f in SummaryFlag}:
        raise summary_error(
            "summary.flag_invalid",
            "summaryFlag 应为 1（按收发货人）或 2（按收发货人和生产销售单位）",
            "summaryFlag is 1 (by seller) or 2 (by seller and producer)",
            path="SummaryApplyHead/summaryFlag",
        )
    if head.get("appType", "1") != "1":
        raise summary_error(
            "summary.app_type_unsupported",
            "汇总申请只接受新增（appType 1）",
            "only new summary applications (appType 1) are accepted",
            path="SummaryApplyHead/appType",
        )
    start, end = head.get("startTime"), head.get("endTime")
    invt_nos = tuple(str(i["invtNo"]) for i in body.get("SummaryApplyList", []))
    window = None
    if start or end:
        # A window makes the list be ignored (SPEC22 表2-73).
        window = parse_window(start or "", end or "")
        invt_nos = ()
    elif not invt_nos:
        raise summary_error(
            "summary.nothing_asked",
            "须填写清单编号或汇总时间范围",
            "give a list of invtNo or a startTime/endTime window",
            path="SummaryApplyList",
        )
    return SummaryRequest(
        customs_code=head["customsCode"],
        cop_no=head["copNo"],
        agent_code=head["agentCode"],
        agent_name=head["agentName"],
        ebc_code=head["ebcCode"],
        ebc_name=head["ebcName"],
        decl_agent_code=head["declAgentCode"],
        decl_agent_name=head["declAgentName"],
        summary_flag=SummaryFlag(flag),
        item_name_flag=head.get("itemNameFlag") == "1",
        window=window,
        invt_nos=invt_nos,
        guid=head["guid"],
        message_guid=message_guid,
    )


def _apply(
    session: Session, message_guid: str, cop: str, body: dict[str, Any], now: datetime, actor: str
) -> SummaryReceipt:
    head = _head(body)
    if cop not in (head.get("ebcCode"), head.get("agentCode")):
        raise summary_error(
            "summary.not_party",
            f"传输企业 {cop} 既不是该汇总申请的收发货人也不是申报单位",
            f"sender {cop} is neither the seller (ebcCode) nor the agent of this application",
            path="SummaryApplyHead/ebcCode",
        )
    request = _request_of(body, message_guid)
    if repository.find_summary_by_cop_no(session, request.agent_code, request.cop_no) is not None:
        raise summary_error(
            "summary.duplicate",
            f"企业编号 copNo {request.cop_no} 的汇总申请已存在",
            f"a summary application with copNo {request.cop_no} exists already",
            path="SummaryApplyHead/copNo",
        )
    saved = head.get("appStatus") == "1"
    summary = summarise(session, request, now=now, actor=actor, save_only=saved)
    return receipt_of(session, summary, now)


def receipt_of(session: Session, summary: SummaryRow, now: datetime) -> SummaryReceipt:
    """The CEB702 answer for a stored summary."""
    excluded = tuple(Exclusion(e["invtNo"], e["reason"], e["detail"]) for e in summary.excluded)
    status = SummaryStatus(summary.status)
    decls = len(repository.declarations_of(session, summary.id))
    taken = repository.count_items(session, summary.id)
    reasons: tuple[str, ...] = ()
    if status == SummaryStatus.SAVED:
        code, info = RETURN_SAVED, "暂存 / saved (appStatus 1), not summarised"
    elif status == SummaryStatus.SUMMARISED:
        code = RETURN_CONCLUDED
        info = (
            f"汇总完成：{taken} 份清单形成 {decls} 份报关单"
            f" / {taken} inventories in {decls} declarations"
        )
    else:
        code, info = RETURN_REFUSED, "没有可汇总的清单 / no inventory could be summarised"
        reasons = ("summary.nothing_to_summarise",)
    if excluded:
        info += f"; {len(excluded)} 份清单未汇总 / {len(excluded)} inventories left out"
    return SummaryReceipt(
        message_guid=summary.message_guid,
        guid=summary.guid,
        agent_code=summary.agent_code,
        ebc_code=summary.ebc_code,
        cop_no=summary.cop_no,
        pre_no=summary.pre_no,
        sum_no=summary.sum_no,
        msg_seq_no="1",
        return_status=code,
        return_time=_stamp(now),
        return_info=info[:1000],
        reasons=reasons,
        excluded=excluded,
        declarations=decls,
        inventories=taken,
    )


def run_month(
    session: Session, ebc_code: str, month: str, *, now: datetime, actor: str
) -> SummaryRow:
    """Summarise a seller's inventories closed in a month, by seller alone and by HS class
    (the CLI's `summary run`)."""
    start, end = month_bounds(month)
    enterprise = registry.find_enterprise(session, ebc_code)
    name = enterprise.name if enterprise is not None else ebc_code
    request = SummaryRequest(
        customs_code="",
        cop_no=f"RUN{now.strftime('%Y%m%d%H%M%S%f')}",
        agent_code=ebc_code,
        agent_name=name,
        ebc_code=ebc_code,
        ebc_name=name,
        decl_agent_code=ebc_code,
        decl_agent_name=name,
        summary_flag=SummaryFlag.BY_SELLER,
        item_name_flag=False,
        window=(start, end - timedelta(microseconds=1)),
        invt_nos=(),
    )
    return summarise(session, request, now=now, actor=actor)


def summarise(
    session: Session,
    request: SummaryRequest,
    *,
    now: datetime,
    actor: str,
    save_only: bool = False,
) -> SummaryRow:
    """Choose the inventories, claim them, group them and store the declarations."""
    found: list[ClosedInventory] = []
    if not save_only:
        if request.window is not None:
            found = repository.closed_in_window(session, request.ebc_code, *request.window)
        else:
            found = repository.inventories_by_numbers(session, request.invt_nos)
    candidates, exclusions = _choose(request, found)
    records = repository.records_of(session, [c.document_id for c in candidates])
    if request.window is not None:
        month = month_of(request.window[0])
    else:
        closes = [c.closed_at for c in candidates if c.closed_at is not None]
        month = month_of(min(closes) if closes else now)
    customs = request.customs_code or _customs_of(records.values())
    summary = SummaryRow(
        sum_no=new_guid()[:18],
        pre_no=new_guid()[:18],
        guid=request.guid or new_guid(),
        message_guid=request.message_guid,
        cop_no=request.cop_no[:30],
        customs_code=customs,
        agent_code=request.agent_code,
        agent_name=request.agent_name,
        ebc_code=request.ebc_code,
        ebc_name=request.ebc_name,
        decl_agent_code=request.decl_agent_code,
        decl_agent_name=request.decl_agent_name,
        month=month,
        window_start=request.window[0] if request.window else None,
        window_end=request.window[1] if request.window else None,
        requested=list(request.invt_nos),
        summary_flag=request.summary_flag.value,
        item_name_flag="1" if request.item_name_flag else "",
        status=SummaryStatus.SAVED.value,
        excluded=[],
        requested_by=actor,
        created_at=now,
    )
    session.add(summary)
    session.flush()
    year = now.astimezone(CST).year
    # 18 characters as CEB702/792 require: customs code, year, a letter, a 9-digit serial.
    summary.sum_no = f"{customs}{year}H{summary.id:09d}"
    summary.pre_no = f"B{now.astimezone(CST):%Y%m%d}{summary.id:09d}"
    if save_only:
        return summary
    facts = [
        inventory_facts(
            c.inventory_id,
            records[c.document_id],
            invt_no=c.invt_no,
            statistics_flag=c.statistics_flag,
        )
        for c in candidates
    ]
    lost: list[InventoryFacts] = []
    while facts:
        taken = _store(session, summary, facts, request, now=now, year=year)
        if len(taken) == len(facts):
            break
        # A concurrent summary took some of them first: undo this attempt and group the rest.
        # Each round the set shrinks, so this ends.
        repository.delete_formed(session, summary.id)
        lost.extend(f for f in facts if f.inventory_id not in taken)
        facts = [f for f in facts if f.inventory_id in taken]
    if lost:
        holders = repository.summary_numbers_of(session, [f.inventory_id for f in lost])
        exclusions.extend(
            Exclusion(f.invt_no, "summary.already_summarised", holders.get(f.inventory_id, ""))
            for f in sorted(lost, key=lambda f: f.invt_no)
        )
    summary.excluded = [e.as_dict() for e in exclusions]
    if not facts:
        summary.status = SummaryStatus.REFUSED.value
        return summary
    summary.status = SummaryStatus.SUMMARISED.value
    summary.summarised_at = now
    return summary


def _customs_of(records: Iterable[dict[str, Any]]) -> str:
    for record in records:
        code = record.get("InventoryHead", {}).get("customsCode")
        if code:
            return str(code)
    return "0000"


def _choose(
    request: SummaryRequest, found: Sequence[ClosedInventory]
) -> tuple[list[ClosedInventory], list[Exclusion]]:
    """Keep the seller's closed export inventories with statisticsFlag B; say why others stay
    out. Another seller's inventory reads as not found (scope, not a hint)."""
    keep: list[ClosedInventory] = []
    out: list[Exclusion] = []
    by_no = {c.invt_no: c for c in found}
    order = request.invt_nos if request.window is None else tuple(c.invt_no for c in found)
    for invt_no in dict.fromkeys(order):
        c = by_no.get(invt_no)
        if c is None or c.ebc_code != request.ebc_code:
            out.append(Exclusion(invt_no, "summary.inventory_not_found"))
        elif c.direction != EXPORT:
            out.append(Exclusion(invt_no, "summary.not_export"))
        elif c.status != CLOSED or c.closed_at is None:
            out.append(Exclusion(invt_no, "summary.not_closed", c.status))
        elif c.statistics_flag != "B":
            out.append(Exclusion(invt_no, "summary.simplified_declaration", c.statistics_flag))
        else:
            keep.append(c)
    return keep, out


def _store(
    session: Session,
    summary: SummaryRow,
    facts: Sequence[InventoryFacts],
    request: SummaryRequest,
    *,
    now: datetime,
    year: int,
) -> set[int]:
    """Group, store the declarations and lines, and claim the inventories with their
    (gnum → gseqno) rows in one insert. Returns the inventory ids this call claimed."""
    formed = group_inventories(
        facts, summary_flag=request.summary_flag, item_name_flag=request.item_name_flag
    )
    rows = [
        SummaryDeclarationRow(
            summary_id=summary.id,
            decl_seq_no=new_guid()[:18],
            guid=new_guid(),
            ebc_code=d.head.ebc_code,
            traf_mode=d.head.traf_mode,
            owner_code=d.head.owner_code,
            country=d.head.country,
            port_code=d.head.port_code,
            gross_weight=decimal_text(d.gross_weight),
            net_weight=decimal_text(d.net_weight),
            inventory_count=len(d.inventory_ids),
            dec_state=DEC_STATE_FORMED,
            op_date=now,
        )
        for d in formed
    ]
    session.add_all(rows)
    session.flush()
    lines: list[dict[str, Any]] = []
    items: list[tuple[int, str, int, str, list[list[Any]]]] = []
    for row, decl in zip(rows, formed, strict=True):
        row.decl_seq_no = f"{summary.customs_code}{year}D{row.id:09d}"
        lines.extend(
            {
                "declaration_id": row.id,
                "gseqno": line.gseqno,
                "country": line.key.country,
                "gcode": line.key.gcode,
                "currency": line.key.currency,
                "item_name": line.key.item_name,
                "gname": line.gname,
                "unit": line.unit,
                "unit1": line.unit1,
                "qty": decimal_text(line.qty),
                "qty1": decimal_text(line.qty1),
                "total_price": decimal_text(line.total_price),
                "gross_weight": decimal_text(line.gross_weight),
                "net_weight": decimal_text(line.net_weight),
                "item_count": line.item_count,
            }
            for line in decl.lines
        )
        goods: dict[int, list[list[Any]]] = {}
        numbers: dict[int, str] = {}
        for p in decl.placements:
            goods.setdefault(p.inventory_id, []).append([p.gnum, p.gcode, p.gseqno])
            numbers[p.inventory_id] = p.logistics_no
        invt_nos = {p.inventory_id: p.invt_no for p in decl.placements}
        items.extend((inv, invt_nos[inv], row.id, numbers[inv], g) for inv, g in goods.items())
    session.flush()
    repository.insert_lines(session, lines)
    return repository.claim(session, summary.id, items)
