"""Who may do what on the summary routes: one matrix over personas."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from summary_fixtures import SELLER, ceb701, file_zone, insert_inventory, inventory_record

from singlewindow.db.session import unit_of_work
from singlewindow.kit.clock import CST

INVOICE = {
    "ebcCode": SELLER,
    "invoiceCode": "4100",
    "invoiceNo": "1",
    "hsCode": "6704200000",
    "amountFen": 100,
    "taxFen": 13,
    "issuedOn": "20260301",
}

# persona -> expected status for each action
MATRIX = [
    # The other seller's post is answered, with a refusal: it holds no key for this copCode.
    pytest.param("seller", 200, 200, 200, 403, 200, id="seller_case"),
    pytest.param("other_seller", 200, 404, 404, 403, 200, id="other_seller_case"),
    pytest.param("customs_officer", 403, 200, 200, 403, 200, id="customs_officer_case"),
    pytest.param("tax_officer", 403, 200, 200, 201, 200, id="tax_officer_case"),
    pytest.param("anonymous", 401, 401, 401, 401, 401, id="anonymous_case"),
]


@pytest.mark.parametrize(
    ("persona", "submit", "read", "rebate_csv", "add_invoice", "warnings"), MATRIX
)
def test_route_matrix(
    client: TestClient,
    session_factory: sessionmaker[Session],
    persona: str,
    submit: int,
    read: int,
    rebate_csv: int,
    add_invoice: int,
    warnings: int,
) -> None:
    zone = file_zone(session_factory)
    with unit_of_work(session_factory) as s:
        insert_inventory(
            s, inventory_record("46042026E000000001"), closed_at=datetime(2026, 4, 2, tzinfo=CST)
        )
    keys = {
        "seller": zone.seller_key,
        "other_seller": zone.other_key,
        "customs_officer": zone.customs_key,
        "tax_officer": zone.tax_key,
        "anonymous": "",
    }
    seller = {"X-API-Key": zone.seller_key, "Content-Type": "application/xml"}
    data = ceb701(invt_nos=("46042026E000000001",), signer=zone.signers[SELLER], cop_no="A1")
    made = client.post("/summaries", content=data, headers=seller).json()["receipts"][0]
    headers = {"X-API-Key": keys[persona], "Content-Type": "application/xml"}
    again = ceb701(invt_nos=("46042026E000000001",), signer=zone.signers[SELLER], cop_no="A2")
    posted = client.post("/summaries", content=again, headers=headers)
    assert posted.status_code == submit
    if persona == "other_seller":
        (receipt,) = posted.json()["receipts"]
        assert (receipt["returnStatus"], receipt["reasons"]) == ("100", ["sender.not_key_holder"])
    headers = {"X-API-Key": keys[persona]}
    sum_no = made["sumNo"]
    assert client.get(f"/summaries/{sum_no}", headers=headers).status_code == read
    assert client.get(f"/summaries/{sum_no}/rebate.csv", headers=headers).status_code == rebate_csv
    added = client.post("/summaries/invoices", json=INVOICE, headers=headers)
    assert added.status_code == add_invoice, added.text
    assert client.get("/summaries/warnings", headers=headers).status_code == warnings
