"""CEB702 receipts and CEB792 results in the standard's XML, built from the stored summary.

Neither message has a BaseTransfer; a CEB792 message holds at most 100 SummaryResult, so a
summary with more declarations is split into parts (msgCount / msgSeqNo say which).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from singlewindow.message import Message, render
from singlewindow.message.records import record_class
from singlewindow.summary.domain import SummaryReceipt
from singlewindow.summary.tables import SummaryDeclarationRow, SummaryItemRow, SummaryRow

RESULTS_PER_MESSAGE = 100
_NAMESPACE = uuid.UUID("0b7c4c55-3a52-4a0c-9a43-6a3e5c2d7f19")


def _record(message_type: str, path: str, values: dict[str, Any]) -> Any:
    return record_class(message_type, path)(**values)


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join(parts))).upper()


def render_702(receipts: Sequence[SummaryReceipt]) -> bytes:
    records = tuple(
        _record(
            "CEB702",
            "SummaryReturn",
            dict(
                guid=_guid("702", r.message_guid, r.guid, r.return_status),
                agent_code=r.agent_code,
                ebc_code=r.ebc_code,
                cop_no=r.cop_no,
                pre_no=r.pre_no,
                sum_no=r.sum_no or None,
                msg_seq_no=r.msg_seq_no or "1",
                return_status=r.return_status,
                return_time=r.return_time,
                return_info=(r.return_info or r.return_status)[:1000],
            ),
        )
        for r in receipts
    )
    guid = _guid("702", *(r.message_guid for r in receipts[:1]), str(len(receipts)))
    return render(Message("CEB702", guid, "1.0", records))


def part_count(declarations: int) -> int:
    return max(1, -(-declarations // RESULTS_PER_MESSAGE))


def render_792(
    summary: SummaryRow,
    declarations: Sequence[SummaryDeclarationRow],
    items: Sequence[SummaryItemRow],
    *,
    part: int = 1,
) -> bytes:
    """Part `part` (from 1) of the summary's CEB792 results."""
    count = part_count(len(declarations))
    chosen = declarations[(part - 1) * RESULTS_PER_MESSAGE : part * RESULTS_PER_MESSAGE]
    by_decl: dict[int, list[SummaryItemRow]] = {}
    for item in items:
        if item.declaration_id is not None:
            by_decl.setdefault(item.declaration_id, []).append(item)
    records: list[Any] = []
    for decl in chosen:
        head = _record(
            "CEB792",
            "SummaryResult/SummaryResultHead",
            dict(
                guid=decl.guid,
                customs_code=summary.customs_code,
                sum_no=summary.sum_no,
                op_date=decl.op_date.strftime("%Y%m%d%H%M%S%f")[:17],
                decl_seq_no=decl.decl_seq_no,
                dec_tmp_no=None,
                dec_pre_no=None,
                entry_id=None,
                dec_state=decl.dec_state,
                agent_code=summary.agent_code,
                agent_name=summary.agent_name,
                ebc_code=summary.ebc_code,
                ebc_name=summary.ebc_name,
                decl_agent_code=summary.decl_agent_code,
                decl_agent_name=summary.decl_agent_name,
                gross_weight=decl.gross_weight,
                net_weight=decl.net_weight,
                msg_count=str(count),
                msg_seq_no=str(part),
                note=None,
            ),
        )
        rows = tuple(
            _record(
                "CEB792",
                "SummaryResult/SummaryResultList",
                dict(
                    invt_no=item.invt_no,
                    logistics_no=item.logistics_no,
                    gseqno=str(gseqno),
                    gnum=str(gnum),
                    gcode=gcode,
                ),
            )
            for item in by_decl.get(decl.id, [])
            for gnum, gcode, gseqno in item.goods
        )
        records.append(
            _record(
                "CEB792",
                "SummaryResult",
                {"summary_result_head": head, "summary_result_list": rows},
            )
        )
    guid = _guid("792", summary.sum_no, str(part))
    return render(Message("CEB792", guid, "1.0", tuple(records)))
