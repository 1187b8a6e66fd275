"""Statistics over HTTP: who sees what (one matrix per route), targets, facilities, exports."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from singlewindow.auth import service as auth
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.session import unit_of_work
from singlewindow.declaration.tables import InventoryRow
from singlewindow.kit.clock import CST
from singlewindow.recording.service import record_transition
from singlewindow.registry.tables import EnterpriseRow
from singlewindow.statistics.tables import FacilityRow, TargetRow

NOW = datetime(2026, 5, 11, 9, 30, tzinfo=CST)  # the conftest's fixed clock
HAIR = "91411000MA9XC7Q2X8"  # 发制品 seller, 建安区
BEES = "91411000MA9XC7Q3X9"  # 蜂产品 seller, 长葛市

PERSONAS: dict[str, tuple[AgencyRole, str | None] | None] = {
    "zone_admin": (AgencyRole.ZONE_ADMIN, None),
    "statistics_officer": (AgencyRole.STATISTICS, None),
    "commerce_officer": (AgencyRole.COMMERCE, None),
    "customs_officer": (AgencyRole.CUSTOMS, None),
    "tax_officer": (AgencyRole.TAX, None),
    "inspection_officer": (AgencyRole.INSPECTION, None),
    "ebc_hair_export": (AgencyRole.ENTERPRISE, HAIR),
    "ebc_bees_import": (AgencyRole.ENTERPRISE, BEES),
    "anonymous": None,
}


def _body(country: str, gcode: str, price: str) -> dict[str, object]:
    return {
        "InventoryHead": {"country": country},
        "InventoryList": [{"gcode": gcode, "totalPrice": price, "currency": "142"}],
    }


def _seed(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as session:
        session.add_all(
            [
                EnterpriseRow(code=HAIR, name="许昌发制品", roles=["ebc"],
                              credit_class="regular", county="建安区", park="许昌跨境电商产业园"),
                EnterpriseRow(code=BEES, name="长葛蜂产品", roles=["ebc"],
                              credit_class="regular", county="长葛市", park=None),
            ]
        )  # fmt: skip
    hair = InventoryRow(id=1, direction="E", trade_mode="9610", ebc_code=HAIR)
    bees = InventoryRow(id=2, direction="I", trade_mode="1210", ebc_code=BEES)
    refused = InventoryRow(id=3, direction="E", trade_mode="9610", ebc_code=HAIR)
    day1 = NOW - timedelta(days=1)
    later, soon = day1 + timedelta(hours=2), NOW + timedelta(seconds=4)
    moves = [
        (hair, _body("USA", "6704110000", "100.50"), "", "120", (), day1, 0),
        (hair, _body("USA", "6704110000", "100.50"), "120", "399", (), day1, 0),
        (hair, _body("USA", "6704110000", "100.50"), "399", "800", (), later, 0),
        (bees, _body("AUS", "0409000000", "200"), "", "120", (), NOW, 0),
        (bees, _body("AUS", "0409000000", "200"), "120", "800", (), soon, 1234),
        (refused, _body("GBR", "6704190000", "9"), "", "120", (), NOW - timedelta(days=39), 0),
        (refused, _body("GBR", "6704190000", "9"), "120", "100",
         ("comparison.amount_mismatch",), NOW - timedelta(days=39), 0),
    ]  # fmt: skip
    declared = {m[0].id: m[5] for m in reversed(moves) if m[3] == "120"}
    with unit_of_work(factory) as session:
        for inventory, body, before, after, reasons, at, tax in moves:
            record_transition(
                session, inventory=inventory, body=body, from_status=before, to_status=after,
                reasons=reasons, at=at, declared_at=declared[inventory.id], tax_fen=tax,
            )  # fmt: skip


@pytest.fixture
def keys(session_factory: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    _seed(session_factory)
    found: dict[str, dict[str, str]] = {}
    with unit_of_work(session_factory) as session:
        for persona, spec in PERSONAS.items():
            if spec is None:
                found[persona] = {}
                continue
            role, code = spec
            found[persona] = {"X-API-Key": auth.add_user(session, role, persona, code)[1]}
    return found


DASHBOARD_MATRIX = [
    pytest.param("zone_admin", 200, "zone", id="zone_admin_case"),
    pytest.param("statistics_officer", 200, "zone", id="statistics_case"),
    pytest.param("commerce_officer", 200, "zone", id="commerce_case"),
    pytest.param("customs_officer", 200, "zone", id="customs_case"),
    pytest.param("ebc_hair_export", 200, "enterprise", id="enterprise_own_case"),
    pytest.param("tax_officer", 200, "zone", id="tax_case"),
    pytest.param("inspection_officer", 403, None, id="inspection_forbidden_case"),
    pytest.param("anonymous", 401, None, id="anonymous_case"),
]


@pytest.mark.parametrize(("persona", "status", "kind"), DASHBOARD_MATRIX)
def test_dashboard_matrix(
    client: TestClient,
    keys: dict[str, dict[str, str]],
    persona: str,
    status: int,
    kind: str | None,
) -> None:
    response = client.get("/statistics/dashboard", headers=keys[persona])
    assert response.status_code == status
    if kind is not None:
        assert response.json()["scope"]["kind"] == kind


def test_zone_dashboard(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    d = client.get("/statistics/dashboard", headers=keys["commerce_officer"]).json()
    assert (d["as_of"], d["year"], d["period"]) == (
        "2026-05-11T09:30:00+08:00",
        2026,
        {"start": "2026-01-01", "end": "2026-05-11"},
    )
    k = d["kpis"]
    assert (k["lists_declared"], k["parcels_released"], k["lists_refused"]) == (3, 2, 1)
    assert (k["import_parcels_released"], k["export_parcels_released"]) == (1, 1)
    assert (k["trade_value_fen"], k["trade_value_cny"]) == (30050, "300.50")
    assert (k["import_value_fen"], k["export_value_fen"]) == (20000, 10050)
    assert (k["comparison_pass_rate"], k["inspection_rate"]) == ("0.6667", "0.0000")
    assert k["release_latency_seconds"] == {"count": 2, "median": 5, "p95": 7200}
    assert (k["taxes_fen"], k["taxes_cny"]) == (1234, "12.34")
    assert (k["enterprises_filed"], k["enterprises_active"]) == (2, 2)
    assert len(d["trend"]) == 30
    assert d["trend"][0]["day"] == "2026-04-12"
    assert d["trend"][-2:] == [
        {"day": "2026-05-10", "declared": 1, "released": 1, "refused": 0,
         "value_fen": 10050, "value_cny": "100.50"},
        {"day": "2026-05-11", "declared": 1, "released": 1, "refused": 0,
         "value_fen": 20000, "value_cny": "200.00"},
    ]  # fmt: skip
    assert [(r["key"], r["parcels"], r["value_fen"]) for r in d["breakdowns"]["country"]] == [
        ("AUS", 1, 20000),
        ("USA", 1, 10050),
    ]
    assert d["breakdowns"]["county"][0] == {
        "key": "长葛市", "parcels": 1, "value_fen": 20000, "value_cny": "200.00",
        "import_parcels": 1, "import_value_fen": 20000, "export_parcels": 0,
        "export_value_fen": 0,
    }  # fmt: skip
    assert [r["key"] for r in d["breakdowns"]["hs_chapter"]] == ["04", "67"]
    assert [r["key"] for r in d["breakdowns"]["park"]] == ["", "许昌跨境电商产业园"]
    assert [r["key"] for r in d["breakdowns"]["trade_mode"]] == ["1210", "9610"]
    assert d["refusals"] == [{"reason": "comparison.amount_mismatch", "count": 1}]
    value = next(t for t in d["targets"] if t["indicator"] == "cbec_transaction_value")
    assert value == {
        "indicator": "cbec_transaction_value", "label_zh": "跨境电子商务年交易额",
        "label_en": "cross-border e-commerce transaction value", "unit": "fen",
        "target": 1_200_000_000_000, "actual": 30050, "ratio": "0.0000", "target_year": 2018,
    }  # fmt: skip


def test_enterprise_dashboard_shows_only_its_own(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    d = client.get("/statistics/dashboard", headers=keys["ebc_bees_import"]).json()
    assert d["scope"] == {"kind": "enterprise", "enterprise_code": BEES}
    k = d["kpis"]
    assert (k["lists_declared"], k["parcels_released"], k["trade_value_fen"]) == (1, 1, 20000)
    assert (k["lists_refused"], k["taxes_fen"], k["enterprises_active"]) == (0, 1234, 1)
    assert k["release_latency_seconds"] == {"count": 1, "median": 5, "p95": 5}
    assert d["targets"] == []
    assert d["refusals"] == []
    assert [r["key"] for r in d["breakdowns"]["country"]] == ["AUS"]


def test_enterprise_indicator_is_scoped(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    response = client.get(
        "/statistics/indicators/trade_value",
        params={"group_by": ["ebc_code"]},
        headers=keys["ebc_hair_export"],
    )
    assert response.status_code == 200
    assert response.json() == {
        "indicator": "trade_value",
        "start": "2026-01-01",
        "end": "2026-05-11",
        "columns": ["ebc_code", "parcels", "value_fen", "value_cny"],
        "rows": [{"ebc_code": HAIR, "parcels": 1, "value_fen": 10050, "value_cny": "100.50"}],
    }


@pytest.mark.parametrize(
    ("params", "code"),
    [
        pytest.param({"group_by": ["reason"]}, "statistics.group_by_invalid", id="bad_group_case"),
        pytest.param(
            {"group_by": ["day", "month"]}, "statistics.group_by_invalid", id="two_grains_case"
        ),
        pytest.param(
            {"start": "2026-05-02", "end": "2026-05-01"}, "statistics.period_invalid",
            id="reversed_period_case",
        ),
    ],
)  # fmt: skip
def test_indicator_refusals(
    client: TestClient, keys: dict[str, dict[str, str]], params: dict[str, object], code: str
) -> None:
    response = client.get(
        "/statistics/indicators/trade_value", params=params, headers=keys["zone_admin"]
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == code


def test_unknown_indicator(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    response = client.get("/statistics/indicators/happiness", headers=keys["zone_admin"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "statistics.indicator_unknown"


def test_csv_export(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    response = client.get(
        "/statistics/indicators/trade_value/export",
        params={"format": "csv", "group_by": ["day", "country"], "start": "2026-05-01"},
        headers=keys["statistics_officer"],
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="trade_value_20260501_20260511.csv"'
    )
    assert response.content.decode("utf-8") == (
        "day,country,parcels,value_fen,value_cny\r\n"
        "2026-05-10,USA,1,10050,100.50\r\n"
        "2026-05-11,AUS,1,20000,200.00\r\n"
    )


def test_xlsx_export(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    response = client.get(
        "/statistics/indicators/refusals_by_reason/export",
        params={"format": "xlsx", "group_by": ["month"]},
        headers=keys["customs_officer"],
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [list(r) for r in book["refusals_by_reason"].iter_rows(values_only=True)] == [
        ["month", "reason", "refusals"],
        ["2026-04", "comparison.amount_mismatch", 1],
    ]


TARGET_MATRIX = [
    pytest.param("zone_admin", 200, id="zone_admin_case"),
    pytest.param("statistics_officer", 403, id="statistics_case"),
    pytest.param("commerce_officer", 403, id="commerce_case"),
    pytest.param("ebc_hair_export", 403, id="enterprise_case"),
    pytest.param("anonymous", 401, id="anonymous_case"),
]


@pytest.mark.parametrize(("persona", "status"), TARGET_MATRIX)
def test_edit_targets_matrix(
    client: TestClient,
    keys: dict[str, dict[str, str]],
    session_factory: sessionmaker[Session],
    persona: str,
    status: int,
) -> None:
    response = client.put(
        "/statistics/targets/2026",
        json={"values": {"key_enterprises": 80, "cbec_transaction_value": 15_000_000_000_000}},
        headers=keys[persona],
    )
    assert response.status_code == status
    read = client.get("/statistics/targets", headers=keys["statistics_officer"]).json()
    by = {t["indicator"]: (t["value"], t["source_year"]) for t in read}
    if status == 200:
        assert by["key_enterprises"] == (80, 2026)
        assert by["cbec_transaction_value"] == (15_000_000_000_000, 2026)
        assert by["training_bases"] == (4, 2018)
    else:
        assert by["key_enterprises"] == (50, 2018)
        with session_factory() as session:
            assert session.scalar(select(func.count()).select_from(TargetRow)) == 0


def test_edit_targets_refuses_bad_values(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    response = client.put(
        "/statistics/targets/2026",
        json={"values": {"key_enterprises": -1, "smiles": 3}},
        headers=keys["zone_admin"],
    )
    assert response.status_code == 422
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [
        ("statistics.target_invalid", "key_enterprises"),
        ("statistics.target_unknown", "smiles"),
    ]


FACILITIES = [
    {"kind": "demonstration_park", "code": "P1", "name": "许昌跨境电商产业园",
     "filed_on": "2017-06-01", "county": "建安区"},
    {"kind": "training_base", "code": "B1", "name": "许昌学院培训基地", "filed_on": "2018-01-01"},
    {"kind": "training_base", "code": "B2", "name": "已撤销基地", "filed_on": "2018-01-01",
     "closed_on": "2020-01-01"},
    {"kind": "overseas_warehouse", "code": "W1", "name": "洛杉矶公共海外仓",
     "filed_on": "2026-06-01", "country": "USA"},
    {"kind": "key_enterprise", "code": "K1", "name": "许昌发制品", "filed_on": "2018-01-01",
     "enterprise_code": HAIR, "industry": "发制品"},
]  # fmt: skip


def _jsonl(rows: list[dict[str, object]]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8")


@pytest.mark.parametrize(("persona", "status"), TARGET_MATRIX)
def test_facility_import_matrix(
    client: TestClient,
    keys: dict[str, dict[str, str]],
    session_factory: sessionmaker[Session],
    persona: str,
    status: int,
) -> None:
    response = client.post(
        "/statistics/facilities",
        content=_jsonl(FACILITIES),
        headers={**keys[persona], "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == status
    with session_factory() as session:
        stored = session.scalar(select(func.count()).select_from(FacilityRow))
    assert stored == (5 if status == 200 else 0)


def test_facilities_count_against_targets(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    admin = {**keys["zone_admin"], "Content-Type": "application/x-ndjson"}
    assert client.post(
        "/statistics/facilities", content=_jsonl(FACILITIES), headers=admin
    ).json() == {"filed": 5}
    listed = client.get(
        "/statistics/facilities", params={"kind": "training_base"}, headers=keys["ebc_hair_export"]
    ).json()
    assert [f["code"] for f in listed] == ["B1", "B2"]
    d = client.get("/statistics/dashboard", headers=keys["zone_admin"]).json()
    actual = {t["indicator"]: (t["actual"], t["target"], t["ratio"]) for t in d["targets"]}
    assert actual == {
        "training_bases": (1, 4, "0.2500"),  # B2 closed in 2020
        "demonstration_parks": (1, 5, "0.2000"),
        "public_overseas_warehouses": (0, 5, "0.0000"),  # W1 opens after today
        "key_enterprises": (1, 50, "0.0200"),
        "cbec_transaction_value": (30050, 1_200_000_000_000, "0.0000"),
        "ecommerce_transaction_value": (None, 6_500_000_000_000, None),
    }


def test_facility_import_is_all_or_nothing(
    client: TestClient, keys: dict[str, dict[str, str]], session_factory: sessionmaker[Session]
) -> None:
    bad = [*FACILITIES, {"kind": "training_base", "code": "B9", "name": "x", "filed_on": "soon"}]
    response = client.post(
        "/statistics/facilities",
        content=_jsonl(bad),
        headers={**keys["zone_admin"], "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 422
    assert [(e["code"], e["line"]) for e in response.json()["errors"]] == [
        ("statistics.date_invalid", 6)
    ]
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(FacilityRow)) == 0
