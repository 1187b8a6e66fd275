from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from summary_fixtures import (
    AGENT,
    OTHER_SELLER,
    SELLER,
    Zone,
    ceb701,
    file_zone,
    goods,
    insert_inventory,
    inventory_record,
)

from singlewindow.db.session import unit_of_work
from singlewindow.kit.clock import CST, FixedClock
from singlewindow.message import check
from singlewindow.summary.domain import SummaryReceipt
from singlewindow.summary.messages import render_702
from singlewindow.summary.tables import SummaryItemRow, SummaryRow

APRIL = datetime(2026, 4, 20, 10, 0, tzinfo=CST)
WINDOW = {"start": "20260401000000", "end": "20260430235959"}


@pytest.fixture
def zone(session_factory: sessionmaker[Session]) -> Zone:
    return file_zone(session_factory)


def _seed(factory: sessionmaker[Session]) -> None:
    """Four closed April inventories of the seller (one A-flag), one of another seller, one
    closed in May, one only released."""
    with unit_of_work(factory) as s:
        insert_inventory(
            s,
            inventory_record(
                "46042026E000000001",
                gross="1.0",
                net="0.8",
                lines=[goods(1, total="100"), goods(2, "0409000000", total="50", gname="蜂蜜")],
            ),
            closed_at=APRIL,
        )
        insert_inventory(
            s,
            inventory_record("46042026E000000002", gross="0.5", net="0.4"),
            closed_at=APRIL,
        )
        insert_inventory(s, inventory_record("46042026E000000003", country="304"), closed_at=APRIL)
        insert_inventory(s, inventory_record("46042026E000000004", flag="A"), closed_at=APRIL)
        insert_inventory(
            s, inventory_record("46042026E000000005", ebc=OTHER_SELLER), closed_at=APRIL
        )
        insert_inventory(
            s,
            inventory_record("46042026E000000006"),
            closed_at=datetime(2026, 5, 2, tzinfo=CST),
        )
        insert_inventory(s, inventory_record("46042026E000000007"), closed_at=None, status="800")


def _post(client: TestClient, key: str, data: bytes, fmt: str = "json") -> dict[str, object]:
    response = client.post(
        f"/summaries?format={fmt}",
        content=data,
        headers={"X-API-Key": key, "Content-Type": "application/xml"},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_701_702_792_over_http_by_window(
    client: TestClient, session_factory: sessionmaker[Session], zone: Zone
) -> None:
    _seed(session_factory)
    data = ceb701(signer=zone.signers[SELLER], start=WINDOW["start"], end=WINDOW["end"])
    out = _post(client, zone.seller_key, data)
    (receipt,) = out["receipts"]  # type: ignore[misc]
    assert receipt["returnStatus"] == "399"
    assert receipt["sumNo"] == "46042026H000000001"
    assert receipt["declarations"] == 2
    assert receipt["inventories"] == 3
    assert receipt["excluded"] == [
        {"invtNo": "46042026E000000004", "reason": "summary.simplified_declaration", "detail": "A"}
    ]

    got = client.get("/summaries/46042026H000000001", headers={"X-API-Key": zone.seller_key})
    assert got.status_code == 200
    view = got.json()
    assert view["month"] == "2026-04"
    assert [
        (d["country"], d["inventoryCount"], d["grossWeight"], d["netWeight"])
        for d in view["declarations"]
    ] == [("304", 1, "0.5", "0.3"), ("502", 2, "1.5", "1.2")]
    lines = view["declarations"][1]["lines"]
    assert [(x["gseqno"], x["gcode"], x["qty"], x["totalPrice"]) for x in lines] == [
        (1, "0409000000", "1", "50"),
        (2, "6704200000", "2", "200"),
    ]

    xml = client.get(
        "/summaries/46042026H000000001?format=xml", headers={"X-API-Key": zone.seller_key}
    )
    assert xml.status_code == 200
    result = check(xml.content)
    assert (result.message_type, result.valid, result.records) == ("CEB792", True, 2)
    text = xml.text
    assert text.count("<ceb:SummaryResultList>") == 4
    assert "<ceb:declSeqNo>46042026D000000002</ceb:declSeqNo>" in text


def test_702_as_standard_xml(
    client: TestClient, session_factory: sessionmaker[Session], zone: Zone
) -> None:
    _seed(session_factory)
    data = ceb701(signer=zone.signers[SELLER], invt_nos=("46042026E000000001",))
    response = client.post(
        "/summaries?format=xml",
        content=data,
        headers={"X-API-Key": zone.seller_key, "Content-Type": "application/xml"},
    )
    assert response.status_code == 200
    result = check(response.content)
    assert (result.message_type, result.valid, result.records) == ("CEB702", True, 1)
    assert "<ceb:returnStatus>399</ceb:returnStatus>" in response.text


def test_list_mode_says_why_each_is_left_out(
    client: TestClient, session_factory: sessionmaker[Session], zone: Zone
) -> None:
    _seed(session_factory)
    asked = tuple(f"46042026E00000000{i}" for i in (1, 4, 5, 7, 9))
    out = _post(client, zone.seller_key, ceb701(signer=zone.signers[SELLER], invt_nos=asked))
    (receipt,) = out["receipts"]  # type: ignore[misc]
    assert receipt["returnStatus"] == "399"
    assert receipt["inventories"] == 1
    assert [(e["invtNo"], e["reason"]) for e in receipt["excluded"]] == [
        ("46042026E000000004", "summary.simplified_declaration"),
        ("46042026E000000005", "summary.inventory_not_found"),
        ("46042026E000000007", "summary.not_closed"),
        ("46042026E000000009", "summary.inventory_not_found"),
    ]
    again = _post(
        client,
        zone.seller_key,
        ceb701(signer=zone.signers[SELLER], invt_nos=asked[:1], cop_no="SUM002"),
    )
    (second,) = again["receipts"]  # type: ignore[misc]
    assert second["returnStatus"] == "100"
    assert second["excluded"] == [
        {
            "invtNo": "46042026E000000001",
            "reason": "summary.already_summarised",
            "detail": receipt["sumNo"],
        }
    ]
    # One taken, one free: the first attempt loses one, is undone, and the rest is grouped.
    mixed = ("46042026E000000001", "46042026E000000002")
    third = _post(
        client, zone.seller_key, ceb701(signer=zone.signers[SELLER], invt_nos=mixed, cop_no="S3")
    )
    (last,) = third["receipts"]  # type: ignore[misc]
    assert (last["returnStatus"], last["inventories"], last["declarations"]) == ("399", 1, 1)
    assert [e["invtNo"] for e in last["excluded"]] == ["46042026E000000001"]
    view = client.get(
        f"/summaries/{last['sumNo']}?items=true", headers={"X-API-Key": zone.seller_key}
    ).json()
    assert [(i["invtNo"], i["gnum"], i["gseqno"]) for i in view["items"]] == [
        ("46042026E000000002", 1, 1)
    ]
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(SummaryItemRow)) == 2


def test_agent_may_apply_for_its_seller_and_unsigned_declare_is_refused(
    client: TestClient, session_factory: sessionmaker[Session], zone: Zone
) -> None:
    _seed(session_factory)
    unsigned = ceb701(sender=AGENT, agent=AGENT, invt_nos=("46042026E000000001",))
    (refused,) = _post(client, zone.agent_key, unsigned)["receipts"]  # type: ignore[misc]
    assert (refused["returnStatus"], refused["reasons"]) == ("100", ["sender.signature_required"])
    signed = ceb701(
        sender=AGENT, agent=AGENT, invt_nos=("46042026E000000001",), signer=zone.signers[AGENT]
    )
    (ok,) = _post(client, zone.agent_key, signed)["receipts"]  # type: ignore[misc]
    assert ok["returnStatus"] == "399"
    # The seller sees it too; another seller does not.
    headers = {"X-API-Key": zone.seller_key}
    assert client.get(f"/summaries/{ok['sumNo']}", headers=headers).status_code == 200
    other = {"X-API-Key": zone.other_key}
    assert client.get(f"/summaries/{ok['sumNo']}", headers=other).status_code == 404
    assert client.get("/summaries", headers=other).json() == {"summaries": []}


def test_sender_must_be_the_seller_or_its_agent(
    client: TestClient, session_factory: sessionmaker[Session], zone: Zone
) -> None:
    _seed(session_factory)
    data = ceb701(
        sender=OTHER_SELLER, invt_nos=("46042026E000000001",), signer=zone.signers[OTHER_SELLER]
    )
    (receipt,) = _post(client, zone.other_key, data)["receipts"]  # type: ignore[misc]
    assert (receipt["returnStatus"], receipt["reasons"]) == ("100", ["summary.not_party"])
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(SummaryRow)) == 0
        assert s.scalar(select(func.count()).select_from(SummaryItemRow)) == 0


def test_saved_application_is_not_summarised(
    client: TestClient, session_factory: sessionmaker[Session], zone: Zone
) -> None:
    _seed(session_factory)
    data = ceb701(invt_nos=("46042026E000000001",), app_status="1")
    (receipt,) = _post(client, zone.seller_key, data)["receipts"]  # type: ignore[misc]
    assert (receipt["returnStatus"], receipt["inventories"]) == ("1", 0)


def test_rebate_csv_and_treatment_per_line(
    client: TestClient, session_factory: sessionmaker[Session], zone: Zone
) -> None:
    _seed(session_factory)
    tax = {"X-API-Key": zone.tax_key}
    invoice = {
        "ebcCode": SELLER,
        "invoiceCode": "4100261130",
        "invoiceNo": "00012345",
        "hsCode": "6704200000",
        "amountFen": 10000,
        "taxFen": 1300,
        "issuedOn": "20260315",
    }
    assert client.post("/summaries/invoices", json=invoice, headers=tax).status_code == 201
    assert client.post("/summaries/invoices", json=invoice, headers=tax).status_code == 422
    klass = {"ebcCode": SELLER, "rebateClass": "2"}
    assert client.post("/summaries/rebate-classes", json=klass, headers=tax).status_code == 200
    seller = {"X-API-Key": zone.seller_key}
    assert client.post("/summaries/rebate-classes", json=klass, headers=seller).status_code == 403
    data = ceb701(signer=zone.signers[SELLER], start=WINDOW["start"], end=WINDOW["end"])
    (receipt,) = _post(client, zone.seller_key, data)["receipts"]  # type: ignore[misc]
    response = client.get(f"/summaries/{receipt['sumNo']}/rebate.csv", headers=tax)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [
        (r["declSeqNo"][-1], r["gcode"], r["treatment"], r["rebateRate"], r["rebateFen"])
        for r in rows
    ] == [
        ("1", "6704200000", "rebate", "0.13", "1300"),
        ("2", "0409000000", "exemption", "0.09", "0"),
        ("2", "6704200000", "rebate", "0.13", "1300"),
    ]
    assert {r["rebateClass"] for r in rows} == {"2"}
    view = client.get(f"/summaries/{receipt['sumNo']}", headers=seller).json()
    assert view["rebateClass"] == "2"
    assert view["declarations"][1]["lines"][0]["tax"]["reasons"] == ["summary.no_invoice_exemption"]


def test_warnings_after_the_15th(
    client: TestClient, session_factory: sessionmaker[Session], zone: Zone, clock: FixedClock
) -> None:
    _seed(session_factory)
    customs = {"X-API-Key": zone.customs_key}
    clock.now = datetime(2026, 5, 15, 23, 59, tzinfo=CST)
    assert client.get("/summaries/warnings", headers=customs).json() == {"warnings": []}
    clock.now = datetime(2026, 5, 16, 0, 0, tzinfo=CST)
    warnings = client.get("/summaries/warnings", headers=customs).json()["warnings"]
    assert [(w["ebcCode"], w["month"], w["count"]) for w in warnings] == [
        (SELLER, "2026-04", 3),
        (OTHER_SELLER, "2026-04", 1),
    ]
    mine = client.get("/summaries/warnings", headers={"X-API-Key": zone.seller_key}).json()
    assert [(w["ebcCode"], w["count"], w["invtNos"]) for w in mine["warnings"]] == [
        (SELLER, 3, ["46042026E000000001", "46042026E000000002", "46042026E000000003"])
    ]
    data = ceb701(signer=zone.signers[SELLER], start=WINDOW["start"], end=WINDOW["end"])
    _post(client, zone.seller_key, data)
    after = client.get("/summaries/warnings", headers={"X-API-Key": zone.seller_key}).json()
    assert after == {"warnings": []}


def test_whole_message_refusals(
    client: TestClient, session_factory: sessionmaker[Session], zone: Zone
) -> None:
    headers = {"X-API-Key": zone.seller_key, "Content-Type": "application/xml"}
    garbage = client.post("/summaries", content=b"<not-xml", headers=headers)
    assert garbage.status_code == 422
    receipt = SummaryReceipt(
        "M", "G", AGENT, SELLER, "C1", "B20260511000000001", "", "1", "399", "2" * 17, "ok"
    )
    wrong = client.post("/summaries", content=render_702([receipt]), headers=headers)
    assert (wrong.status_code, wrong.json()["errors"][0]["code"]) == (422, "summary.not_ceb701")
    data = ceb701(invt_nos=("46042026E000000001",), signer=zone.signers[SELLER])
    assert client.post("/summaries", content=data, headers=headers).status_code == 200
    reused = client.post("/summaries", content=data, headers=headers)
    assert (reused.status_code, reused.json()["errors"][0]["code"]) == (
        422,
        "message.guid_reused",
    )
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(SummaryRow)) == 1
