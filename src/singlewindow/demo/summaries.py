"""The month's summary declaration (汇总申报) in the demo: each exporting seller sends a CEB701
for the replayed month through the HTTP API and reads back the declarations formed (CEB792)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from singlewindow.demo.zone import Zone
from singlewindow.kit.clock import CST
from singlewindow.kit.ids import new_guid
from singlewindow.message import Message, render
from singlewindow.message.records import record_class
from singlewindow.message.signing import Signer, sign_document

CUSTOMS_CODE = "4621"  # 许昌海关 (customs_district.csv)


@dataclass(frozen=True, slots=True)
class SellerSummary:
    ebc_code: str
    ebc_name: str
    sum_no: str
    status: str
    declarations: int
    lines: int
    inventories: int
    left_out: int
    reasons: tuple[str, ...]


def ceb701(
    zone: Zone, ebc_code: str, year: int, month: int, now: datetime, signer: Signer
) -> bytes:
    """A signed summary application of the seller's whole month (a startTime/endTime window)."""
    seller = zone.by_code[ebc_code]
    last = calendar.monthrange(year, month)[1]
    head_fields: dict[str, Any] = dict(
        guid=new_guid(),
        app_type="1",
        app_time=now.astimezone(CST).strftime("%Y%m%d%H%M%S"),
        app_status="2",
        customs_code=CUSTOMS_CODE,
        cop_no=f"SUM{year}{month:02d}{ebc_code[-6:]}",
        pre_no=None,
        sum_no=None,
        agent_code=ebc_code,
        agent_name=seller.name,
        ebc_code=ebc_code,
        ebc_name=seller.name,
        decl_agent_code=ebc_code,
        decl_agent_name=seller.name,
        start_time=f"{year}{month:02d}01000000",
        end_time=f"{year}{month:02d}{last:02d}235959",
        loct_no=None,
        summary_flag="1",
        item_name_flag="0",
        msg_count="1",
        msg_seq_no="1",
        note=None,
    )
    head = record_class("CEB701", "SummaryApply/SummaryApplyHead")(**head_fields)
    apply_fields: dict[str, Any] = {"summary_apply_head": head, "summary_apply_list": ()}
    apply = record_class("CEB701", "SummaryApply")(**apply_fields)
    transfer_fields: dict[str, Any] = {
        "cop_code": ebc_code,
        "cop_name": seller.name,
        "dxp_mode": "DXP",
        "dxp_id": seller.dxp_id,
        "note": None,
    }
    transfer = record_class("CEB701", "BaseTransfer")(**transfer_fields)
    data = render(Message("CEB701", new_guid(), "1.0", (apply,), base_transfer=transfer))
    return sign_document(data, signer)


def summarise_month(
    client: httpx.Client,
    zone: Zone,
    sellers: list[str],
    *,
    year: int,
    month: int,
    now: datetime,
    signers: dict[str, Signer],
    api_keys: dict[str, str],
) -> list[SellerSummary]:
    out: list[SellerSummary] = []
    for ebc in sellers:
        headers = {"X-API-Key": api_keys[ebc], "Content-Type": "application/xml"}
        answer = client.post(
            "/summaries", content=ceb701(zone, ebc, year, month, now, signers[ebc]), headers=headers
        )
        answer.raise_for_status()
        receipt: dict[str, Any] = answer.json()["receipts"][0]
        sum_no = str(receipt.get("sumNo") or "")
        summary: dict[str, Any] = {}
        if sum_no:
            got = client.get(f"/summaries/{sum_no}", headers={"X-API-Key": api_keys[ebc]})
            got.raise_for_status()
            summary = got.json()
        declarations = summary.get("declarations", [])
        out.append(
            SellerSummary(
                ebc_code=ebc,
                ebc_name=zone.by_code[ebc].name,
                sum_no=sum_no,
                status=str(receipt.get("returnStatus", "")),
                declarations=len(declarations),
                lines=sum(len(d.get("lines", [])) for d in declarations),
                inventories=int(summary.get("inventories", 0) or 0),
                left_out=len(summary.get("excluded", []) or []),
                reasons=tuple(receipt.get("reasons", [])),
            )
        )
    return out
