"""Reads of summaries, scoped in one place: an enterprise sees the summaries it is the seller
or the agent of (anything else is 404); officers see all. Also the overdue warnings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from singlewindow.auth.domain import Principal
from singlewindow.kit.errors import NotFound, Problem
from singlewindow.summary import messages, repository
from singlewindow.summary.rules import month_of, overdue_before, summary_deadline
from singlewindow.summary.tables import SummaryRow
from singlewindow.summary.treatment import decision_view, treatments

WARNING_SAMPLE = 20


def _not_found(sum_no: str) -> NotFound:
    return NotFound(
        [Problem("summary.not_found", f"汇总申请 {sum_no} 不存在", f"no summary {sum_no}")]
    )


def scope_of(principal: Principal | None) -> str | None:
    """The enterprise whose summaries the principal sees; None for officers and the platform's
    own commands (all)."""
    if principal is not None and principal.is_enterprise:
        return principal.enterprise_code or ""
    return None


def get_summary_row(session: Session, principal: Principal | None, sum_no: str) -> SummaryRow:
    row = repository.find_summary(session, sum_no)
    scope = scope_of(principal)
    if row is None or (scope is not None and scope not in (row.ebc_code, row.agent_code)):
        raise _not_found(sum_no)
    return row


def summary_head(row: SummaryRow) -> dict[str, Any]:
    return {
        "sumNo": row.sum_no,
        "preNo": row.pre_no,
        "copNo": row.cop_no,
        "guid": row.guid,
        "customsCode": row.customs_code,
        "agentCode": row.agent_code,
        "ebcCode": row.ebc_code,
        "ebcName": row.ebc_name,
        "declAgentCode": row.decl_agent_code,
        "month": row.month,
        "summaryFlag": row.summary_flag,
        "itemNameFlag": row.item_name_flag,
        "status": row.status,
        "startTime": row.window_start.isoformat() if row.window_start else None,
        "endTime": row.window_end.isoformat() if row.window_end else None,
        "requested": len(row.requested),
        "createdAt": row.created_at.isoformat(),
        "summarisedAt": row.summarised_at.isoformat() if row.summarised_at else None,
    }


def get_summary(
    session: Session, principal: Principal | None, sum_no: str, *, with_items: bool = False
) -> dict[str, Any]:
    """The summary, its declarations and lines with their tax treatment, and what was left
    out; with `with_items` also every (invtNo, gnum) → gseqno row."""
    row = get_summary_row(session, principal, sum_no)
    decls = repository.declarations_of(session, row.id)
    lines = repository.lines_of(session, [d.id for d in decls])
    decided = treatments(session, row, lines)
    klass = repository.find_rebate_class(session, row.ebc_code)
    out = summary_head(row)
    out["rebateClass"] = klass.rebate_class if klass is not None else None
    out["inventories"] = repository.count_items(session, row.id)
    out["excluded"] = list(row.excluded)
    out["declarations"] = [
        {
            "declSeqNo": d.decl_seq_no,
            "ebcCode": d.ebc_code,
            "trafMode": d.traf_mode,
            "ownerCode": d.owner_code,
            "country": d.country,
            "portCode": d.port_code,
            "grossWeight": d.gross_weight,
            "netWeight": d.net_weight,
            "inventoryCount": d.inventory_count,
            "decState": d.dec_state,
            "lines": [
                {
                    "gseqno": x.gseqno,
                    "country": x.country,
                    "gcode": x.gcode,
                    "currency": x.currency,
                    "itemName": x.item_name,
                    "gname": x.gname,
                    "qty": x.qty,
                    "unit": x.unit,
                    "qty1": x.qty1,
                    "unit1": x.unit1,
                    "totalPrice": x.total_price,
                    "grossWeight": x.gross_weight,
                    "netWeight": x.net_weight,
                    "itemCount": x.item_count,
                    "tax": decision_view(decided[x.id]),
                }
                for x in lines
                if x.declaration_id == d.id
            ],
        }
        for d in decls
    ]
    if with_items:
        seq_no = {d.id: d.decl_seq_no for d in decls}
        out["items"] = [
            {
                "invtNo": item.invt_no,
                "logisticsNo": item.logistics_no,
                "gnum": gnum,
                "gcode": gcode,
                "gseqno": gseqno,
                "declSeqNo": seq_no.get(item.declaration_id or 0, ""),
            }
            for item in repository.items_of(session, row.id)
            for gnum, gcode, gseqno in item.goods
        ]
    return out


def summary_792(
    session: Session, principal: Principal | None, sum_no: str, *, part: int = 1
) -> bytes:
    """Part `part` of the summary's CEB792 results (100 declarations a message)."""
    row = get_summary_row(session, principal, sum_no)
    decls = repository.declarations_of(session, row.id)
    if not decls or part > messages.part_count(len(decls)):
        raise NotFound(
            [
                Problem(
                    "summary.no_results",
                    f"汇总申请 {sum_no} 没有这部分汇总结果",
                    f"summary {sum_no} has no such part of results",
                )
            ]
        )
    return messages.render_792(row, decls, repository.items_of(session, row.id), part=part)


def list_summaries(
    session: Session, principal: Principal | None, *, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    rows = repository.list_summaries(session, scope_of(principal), limit=limit, offset=offset)
    return [summary_head(r) for r in rows]


def list_warnings(
    session: Session, principal: Principal | None, now: datetime
) -> list[dict[str, Any]]:
    """Closed export inventories (statisticsFlag B) still unsummarised after the 15th of the
    month following their closing: one warning per seller and month, to the seller and to
    customs."""
    rows = repository.unsummarised_closed_before(session, overdue_before(now), scope_of(principal))
    grouped: dict[tuple[str, str], list[str]] = {}
    for ebc, invt_no, at in rows:
        grouped.setdefault((ebc, month_of(at)), []).append(invt_no)
    return [
        {
            "code": "summary.overdue",
            "ebcCode": ebc,
            "month": month,
            "deadline": summary_deadline(month).isoformat(),
            "count": len(numbers),
            "invtNos": sorted(numbers)[:WARNING_SAMPLE],
            "recipients": [ebc, "customs"],
            "message_zh": f"{month} 结关的 {len(numbers)} 份出口清单逾期未汇总申报",
            "message_en": f"{len(numbers)} export inventories closed in {month} are overdue "
            "for summary declaration",
        }
        for (ebc, month), numbers in sorted(grouped.items())
    ]
