"""Golden paths over HTTP: filing, keys, signed import and export messages, receipts in JSON
and in the standard's XML, the inventory with its history and tax bill."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.release.builders import AGENT, BUYER_ID, LOGISTICS, NOW, Doc, Parcel, import_docs
from tests.release.export_builders import arrival_507, departure_509, export_docs
from tests.release.harness import HttpZone, Keys, file_zone_over_http

from singlewindow.message import check


@pytest.fixture
def zone(client: TestClient, session_factory: sessionmaker[Session], keys: Keys) -> HttpZone:
    return file_zone_over_http(client, session_factory, keys)


def _post(client: TestClient, zone: HttpZone, keys: Keys, doc: Doc) -> list[dict[str, Any]]:
    response = client.post(
        "/messages",
        content=keys.sign(doc),
        headers={**zone.of(doc.sender), "Content-Type": "application/xml"},
    )
    assert response.status_code == 200, response.text
    receipts: list[dict[str, Any]] = response.json()["receipts"]
    return receipts


def _brief(receipts: list[dict[str, Any]]) -> list[tuple[str, str, list[str]]]:
    return [(r["message_type"], r["returnStatus"], r["reasons"]) for r in receipts]


def _history(view: dict[str, Any]) -> list[tuple[str, str]]:
    return [(h["fromStatus"], h["returnStatus"]) for h in view["history"]]


def test_import_golden_path(client: TestClient, zone: HttpZone, keys: Keys) -> None:
    p = Parcel(1)
    docs = import_docs(p)
    answers = [_post(client, zone, keys, d) for d in docs.values()]
    assert [_brief(a) for a in answers] == [
        [("CEB311", "120", [])],
        [("CEB411", "120", [])],
        [("CEB511", "120", [])],
        [("CEB621", "800", [])],
    ]
    released = answers[-1][0]
    invt_no = released["invtNo"]
    assert invt_no == "46212026I000000001"
    assert released["guid"] == docs["CEB621"].guid

    view = client.get(f"/inventories/{invt_no}", headers=zone.of(AGENT)).json()
    assert (view["returnStatus"], view["orderNo"], view["ieFlag"]) == ("800", p.order_no, "I")
    assert _history(view) == [("", "120"), ("120", "800")]
    assert view["history"][-1]["actor"] == f"enterprise:{AGENT}"
    assert view["tax"] == {
        "status": "1",
        "dutiable_value": "110.00",
        "tariff": "0.00",
        "vat": "10.01",
        "consumption_tax": "0.00",
        "total": "10.01",
        "preferential": True,
        "lines": [
            {
                "gnum": 1,
                "taxable_value_fen": 11_000,
                "tariff_fen": 0,
                "vat_fen": 1_001,
                "consumption_tax_fen": 0,
            }
        ],
    }
    by_order = client.get(
        "/inventories",
        params={"orderNo": p.order_no, "ebpCode": "4110960001"},
        headers=zone.of(AGENT),
    )
    assert by_order.json()["invtNo"] == invt_no

    guid = docs["CEB621"].guid
    as_json = client.get(f"/messages/{guid}/receipts", headers=zone.of(AGENT))
    assert as_json.status_code == 200
    assert _brief(as_json.json()["receipts"]) == [("CEB621", "800", [])]
    assert view["buyerIdNumber"] == BUYER_ID[:6] + "********" + BUYER_ID[-4:]


def test_export_golden_path(client: TestClient, zone: HttpZone, keys: Keys) -> None:
    p = Parcel(1)
    docs = export_docs(p)
    answers = [_post(client, zone, keys, d) for d in docs.values()]
    assert [_brief(a) for a in answers] == [
        [("CEB303", "120", [])],
        [("CEB403", "120", [])],
        [("CEB505", "120", [])],
        [("CEB603", "399", [])],
    ]
    invt_no = answers[-1][0]["invtNo"]
    assert invt_no == "46212026E000000001"

    def status() -> str:
        view = client.get(f"/inventories/{invt_no}", headers=zone.of(LOGISTICS)).json()
        return str(view["returnStatus"])

    assert status() == "399"
    arrival = _post(client, zone, keys, arrival_507([p.logistics_no], NOW))
    assert _brief(arrival) == [("CEB507", "120", [])]
    assert status() == "800"
    departure = _post(client, zone, keys, departure_509([p.logistics_no], NOW))
    assert _brief(departure) == [("CEB509", "120", [])]
    assert status() == "899"

    view = client.get(f"/inventories/{invt_no}", headers=zone.of(AGENT)).json()
    assert _history(view) == [("", "120"), ("120", "399"), ("399", "800"), ("800", "899")]
    assert view["tax"] is None
    guid = docs["CEB603"].guid
    receipts = client.get(f"/messages/{guid}/receipts", headers=zone.of(AGENT)).json()
    assert _brief(receipts["receipts"]) == [
        ("CEB603", "399", []),
        ("CEB603", "800", []),
        ("CEB603", "899", []),
    ]


def test_batch_of_messages_over_http(client: TestClient, zone: HttpZone, keys: Keys) -> None:
    docs = [import_docs(Parcel(n))["CEB311"] for n in (1, 2, 3)]
    response = client.post(
        "/messages/batch",
        json={"messages": [keys.sign(d).decode() for d in docs]},
        headers=zone.of(docs[0].sender),
    )
    assert response.status_code == 200
    assert [r["orderNo"] for r in response.json()["receipts"]] == [
        "ORD00000001",
        "ORD00000002",
        "ORD00000003",
    ]
    assert {r["returnStatus"] for r in response.json()["receipts"]} == {"120"}


def _send_all(client: TestClient, zone: HttpZone, keys: Keys, docs: list[Doc]) -> None:
    for doc in docs:
        _post(client, zone, keys, doc)


@pytest.mark.parametrize(
    ("direction", "receipt_type", "status", "receipts"),
    [
        pytest.param("I", "CEB622", "800", ["800"], id="import_inventory_receipt_case"),
        pytest.param("E", "CEB604", "899", ["399", "800", "899"], id="export_inventory_case"),
    ],
)
def test_receipts_as_the_standards_xml(
    client: TestClient,
    zone: HttpZone,
    keys: Keys,
    direction: str,
    receipt_type: str,
    status: str,
    receipts: list[str],
) -> None:
    """`?format=xml`: the latest receipt of each record as a receipt message that passes the
    message border's own check, echoing the enterprise's copNo."""
    p = Parcel(1)
    docs = import_docs(p) if direction == "I" else export_docs(p)
    inventory = docs["CEB621" if direction == "I" else "CEB603"]
    _send_all(client, zone, keys, list(docs.values()))
    if direction == "E":
        _post(client, zone, keys, arrival_507([p.logistics_no], NOW))
        _post(client, zone, keys, departure_509([p.logistics_no], NOW))
    url = f"/messages/{inventory.guid}/receipts"
    as_json = client.get(url, headers=zone.of(AGENT)).json()
    assert [r["returnStatus"] for r in as_json["receipts"]] == receipts
    as_xml = client.get(url, params={"format": "xml"}, headers=zone.of(AGENT))
    assert as_xml.status_code == 200, as_xml.text
    assert as_xml.headers["content-type"].startswith("application/xml")
    result = check(as_xml.content)
    assert (result.message_type, result.valid, result.records, result.errors) == (
        receipt_type,
        True,
        1,
        (),
    )
    assert f"<ceb:returnStatus>{status}</ceb:returnStatus>".encode() in as_xml.content
    assert f"<ceb:copNo>{inventory.head['copNo']}</ceb:copNo>".encode() in as_xml.content


def test_inventory_receipts_echo_the_record_keys(
    client: TestClient, zone: HttpZone, keys: Keys
) -> None:
    """Every receipt names the record it answers, as the stored-document receipts do: the
    inventory's keys of the standard plus the invtNo the platform assigned."""
    p = Parcel(1)
    docs = import_docs(p)
    answers = [_post(client, zone, keys, d) for d in docs.values()]
    released = answers[-1][0]
    assert {k: v for k, v in released.items() if k not in ("returnInfo", "reasons")} == {
        "message_type": "CEB621",
        "message_guid": docs["CEB621"].guid,
        "guid": docs["CEB621"].guid,
        "orderNo": p.order_no,
        "ebpCode": "4110960001",
        "ebcCode": "4110960002",
        "logisticsCode": LOGISTICS,
        "logisticsNo": p.logistics_no,
        "invtNo": "46212026I000000001",
        "returnStatus": "800",
    }
