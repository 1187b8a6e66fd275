"""Closed export inventories inserted directly (the clearance path is slow to drive), CEB701
messages built and signed, and a filed zone with API keys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session, sessionmaker

from singlewindow.auth import service as auth
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.session import unit_of_work
from singlewindow.declaration.tables import DocumentRow, InventoryRow, MessageRow, TransitionRow
from singlewindow.kit.ids import new_guid
from singlewindow.message import Message, render
from singlewindow.message.records import record_class
from singlewindow.message.signing import Signer, load_signer, sign_document
from singlewindow.registry import service as registry

SELLER = "4110960001"
OTHER_SELLER = "4110960002"
AGENT = "4110960003"
PLATFORM = "4110960004"


def goods(
    gnum: int,
    gcode: str = "6704200000",
    *,
    country: str = "502",
    currency: str = "142",
    qty: str = "1",
    qty1: str = "0.3",
    total: str = "100",
    item_name: str = "",
    gname: str = "假发",
) -> dict[str, Any]:
    line: dict[str, Any] = {
        "gnum": str(gnum),
        "itemNo": f"SKU{gnum:03d}",
        "gcode": gcode,
        "gname": gname,
        "gmodel": "长30cm",
        "barCode": "无",
        "country": country,
        "currency": currency,
        "qty": qty,
        "qty1": qty1,
        "unit": "007",
        "unit1": "035",
        "price": total,
        "totalPrice": total,
    }
    if item_name:
        line["itemName"] = item_name
    return line


def inventory_record(
    invt_no: str,
    *,
    ebc: str = SELLER,
    traf_mode: str = "5",
    owner: str = SELLER,
    country: str = "502",
    port: str = "4604",
    flag: str = "B",
    trade_mode: str = "9610",
    gross: str = "0.5",
    net: str = "0.3",
    lines: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A CEB603 Inventory record in the standard's JSON form, as the enterprise sent it: no
    invtNo (the platform assigns it; `insert_inventory` stores it on the row)."""
    return {
        "InventoryHead": {
            "guid": new_guid(),
            "appType": "1",
            "appTime": "20261005100000",
            "appStatus": "2",
            "customsCode": "4604",
            "ebpCode": PLATFORM,
            "ebpName": "许昌跨境平台",
            "orderNo": f"O{invt_no}",
            "logisticsCode": PLATFORM,
            "logisticsName": "许昌物流",
            "logisticsNo": f"L{invt_no}",
            "copNo": f"C{invt_no}",
            "ieFlag": "E",
            "portCode": port,
            "ieDate": "20261005",
            "statisticsFlag": flag,
            "agentCode": AGENT,
            "agentName": "许昌报关行",
            "ebcCode": ebc,
            "ebcName": "许昌发制品",
            "ownerCode": owner,
            "ownerName": "生产企业",
            "tradeMode": trade_mode,
            "trafMode": traf_mode,
            "country": country,
            "POD": "USNYC",
            "freight": "0",
            "fCurrency": "142",
            "fFlag": "3",
            "insuredFee": "0",
            "iCurrency": "142",
            "iFlag": "3",
            "wrapType": "2",
            "packNo": "1",
            "grossWeight": gross,
            "netWeight": net,
        },
        "InventoryList": lines if lines is not None else [goods(1)],
    }


def insert_inventory(
    session: Session,
    record: dict[str, Any],
    *,
    closed_at: datetime | None,
    status: str = "899",
    direction: str = "E",
) -> int:
    """Store a message, document, inventory and (if closed) its transition to 899."""
    head = record["InventoryHead"]
    guid = new_guid()
    at = closed_at or datetime(2026, 10, 1, tzinfo=UTC)
    session.add(
        MessageRow(
            guid=guid,
            sha256="0" * 64,
            message_type="CEB603",
            cop_code=head["agentCode"],
            received_at=at - timedelta(days=2),
            record_count=1,
            raw=json.dumps(record).encode(),
        )
    )
    session.flush()
    doc = DocumentRow(
        message_guid=guid,
        record_guid=head["guid"],
        message_type="CEB603",
        kind="inventory",
        direction=direction,
        doc_key=f"{head['ebpCode']}|{head['orderNo']}",
        order_key=f"{head['ebpCode']}|{head['orderNo']}",
        logistics_key=f"{head['logisticsCode']}|{head['logisticsNo']}",
        cop_code=head["agentCode"],
        parties=head["ebcCode"],
        app_status="2",
        status=status,
        received_at=at - timedelta(days=2),
        body=record,
    )
    session.add(doc)
    session.flush()
    inv = InventoryRow(
        document_id=doc.id,
        invt_no=head["copNo"][1:],  # the fixtures' copNo is "C" + the invtNo
        direction=direction,
        order_key=doc.order_key,
        logistics_key=doc.logistics_key,
        order_no=head["orderNo"],
        ebp_code=head["ebpCode"],
        ebc_code=head["ebcCode"],
        agent_code=head["agentCode"],
        logistics_code=head["logisticsCode"],
        logistics_no=head["logisticsNo"],
        trade_mode=head["tradeMode"],
        statistics_flag=head["statisticsFlag"],
        status=status,
        first_doc_at=at - timedelta(days=2),
        updated_at=at,
        released_at=at - timedelta(days=1),
    )
    session.add(inv)
    session.flush()
    if closed_at is not None and status == "899":
        session.add(
            TransitionRow(
                inventory_id=inv.id,
                at=closed_at,
                from_status="800",
                to_status="899",
                actor="test",
                reasons=[],
                facts={"departure": True},
            )
        )
        session.flush()
    return inv.id


@dataclass
class Zone:
    seller_key: str
    other_key: str
    agent_key: str
    customs_key: str
    tax_key: str
    signers: dict[str, Signer]


def _signer(code: str) -> tuple[Signer, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, code)])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=800))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    return load_signer(key_pem, cert_pem), cert_pem.decode()


def file_zone(factory: sessionmaker[Session]) -> Zone:
    signers: dict[str, Signer] = {}
    rows: list[dict[str, Any]] = []
    for code, name, roles in (
        (SELLER, "许昌发制品", ["ebc"]),
        (OTHER_SELLER, "长葛蜂蜜", ["ebc"]),
        (AGENT, "许昌报关行", ["agent"]),
        (PLATFORM, "许昌跨境平台", ["ebp", "logistics"]),
    ):
        signer, pem = _signer(code)
        signers[code] = signer
        rows.append(
            {
                "kind": "enterprise",
                "code": code,
                "name": name,
                "roles": roles,
                "certificates": [pem],
            }
        )
    with unit_of_work(factory) as session:
        registry.import_records(session, [json.dumps(r, ensure_ascii=False) for r in rows])
        keys = {
            "seller": auth.add_user(session, AgencyRole.ENTERPRISE, "seller", SELLER)[1],
            "other": auth.add_user(session, AgencyRole.ENTERPRISE, "other", OTHER_SELLER)[1],
            "agent": auth.add_user(session, AgencyRole.ENTERPRISE, "agent", AGENT)[1],
            "customs": auth.add_user(session, AgencyRole.CUSTOMS, "customs", None)[1],
            "tax": auth.add_user(session, AgencyRole.TAX, "tax", None)[1],
        }
    return Zone(keys["seller"], keys["other"], keys["agent"], keys["customs"], keys["tax"], signers)


def ceb701(
    *,
    sender: str = SELLER,
    ebc: str = SELLER,
    agent: str = SELLER,
    cop_no: str = "SUM001",
    invt_nos: tuple[str, ...] = (),
    start: str | None = None,
    end: str | None = None,
    summary_flag: str = "1",
    item_name_flag: str = "0",
    app_status: str = "2",
    signer: Signer | None = None,
) -> bytes:
    """A CEB701 message with one SummaryApply; signed when a signer is given."""
    head = record_class("CEB701", "SummaryApply/SummaryApplyHead")(
        guid=new_guid(),
        app_type="1",
        app_time="20261110090000",
        app_status=app_status,
        customs_code="4604",
        cop_no=cop_no,
        pre_no=None,
        sum_no=None,
        agent_code=agent,
        agent_name="申报单位",
        ebc_code=ebc,
        ebc_name="许昌发制品",
        decl_agent_code=agent,
        decl_agent_name="报关单位",
        start_time=start,
        end_time=end,
        loct_no=None,
        summary_flag=summary_flag,
        item_name_flag=item_name_flag,
        msg_count="1",
        msg_seq_no="1",
        note=None,
    )
    listed = tuple(
        record_class("CEB701", "SummaryApply/SummaryApplyList")(invt_no=n) for n in invt_nos
    )
    apply = record_class("CEB701", "SummaryApply")(
        summary_apply_head=head, summary_apply_list=listed
    )
    transfer = record_class("CEB701", "BaseTransfer")(
        cop_code=sender, cop_name="传输企业", dxp_mode="DXP", dxp_id="DXPENT0000000001", note=None
    )
    data = render(Message("CEB701", new_guid(), "1.0", (apply,), base_transfer=transfer))
    return sign_document(data, signer) if signer is not None else data
