"""Who may call what: one row per route of the app, one expected status per persona.

Every APIRoute the app mounts must have a row (a new route without one fails
`test_every_route_has_a_row`). Personas send their API key as `X-API-Key` and as the console's
cookie. The zone is filed once per module: one released import inventory whose declarant
(agentCode) is the "party" enterprise, and one under inspection for the inspection route. A
refused write changes no row of any table; an enterprise gets 404 (never 403) for another's
inventory; buyer ID numbers are whole only for customs and public security.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, make_url, select, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from tests.release.builders import (
    AGENT,
    BUYER_ID,
    EBC,
    EBP,
    NAMES,
    NOW,
    OTHER,
    Parcel,
    import_docs,
    order_311,
)
from tests.release.harness import HttpZone, Keys, file_zone_over_http, make_keys

from singlewindow.api.app import create_app
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.base import Base
from singlewindow.db.migrate import upgrade
from singlewindow.db.session import make_engine, make_sessionmaker
from singlewindow.kit.clock import FixedClock
from singlewindow.web.pages import PLOTLY_URL

pytestmark = pytest.mark.postgres

PERSONAS = (
    "anonymous",
    "party",
    "other",
    "customs",
    "tax",
    "public_security",
    "statistics",
    "zone_admin",
)
AGENCY = {
    "customs": AgencyRole.CUSTOMS,
    "tax": AgencyRole.TAX,
    "public_security": AgencyRole.PUBLIC_SECURITY,
    "statistics": AgencyRole.STATISTICS,
    "zone_admin": AgencyRole.ZONE_ADMIN,
}
SKIPPED = frozenset({"/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc"})


@dataclass
class World:
    client: TestClient
    factory: sessionmaker[Session]
    zone: HttpZone
    keys: Keys
    released: str  # invtNo of the released inventory (party: AGENT)
    inspected: str  # invtNo of the inventory under inspection
    order_no: str
    message_guid: str  # the released inventory's message

    def headers(self, persona: str) -> dict[str, str]:
        if persona == "anonymous":
            return {}
        if persona in AGENCY:
            return self.zone.of(AGENCY[persona])
        return self.zone.of(AGENT if persona == "party" else OTHER)

    def key(self, persona: str) -> str:
        return self.headers(persona).get("X-API-Key", "")

    def counts(self) -> dict[str, int]:
        with self.factory() as session:
            return {
                t.name: session.scalar(select(func.count()).select_from(t)) or 0
                for t in Base.metadata.sorted_tables
            }


@pytest.fixture(scope="module")
def _module_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database for the module: SQLite, or a new database on the PostgreSQL server named by
    SINGLEWINDOW_TEST_DATABASE_URL (as tests/conftest.py does per test)."""
    base = os.environ.get("SINGLEWINDOW_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{Path(tmp_path_factory.mktemp('matrix')) / 'matrix.db'}"
        return
    admin: Engine = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    name = f"sw_matrix_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _send(world_client: TestClient, zone: HttpZone, keys: Keys, docs: list[Any]) -> list[Any]:
    out = []
    for doc in docs:
        response = world_client.post(
            "/messages",
            content=keys.sign(doc),
            headers={**zone.of(doc.sender), "Content-Type": "application/xml"},
        )
        assert response.status_code == 200, response.text
        out.extend(response.json()["receipts"])
    return out


@pytest.fixture(scope="module")
def world(_module_database: str) -> Iterator[World]:
    engine = make_engine(_module_database)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    keys = make_keys()
    app = create_app(database_url=_module_database, clock=FixedClock(NOW))
    with TestClient(app, follow_redirects=False) as client:
        zone = file_zone_over_http(client, factory, keys)
        p = Parcel(1)
        docs = import_docs(p)
        released = _send(client, zone, keys, list(docs.values()))[-1]
        assert released["returnStatus"] == "800"
        # The seller turns seriously dishonest: every later parcel is inspected.
        dishonest = {
            "kind": "enterprise",
            "code": EBC,
            "name": NAMES[EBC],
            "roles": ["ebc"],
            "credit_class": "seriously_dishonest",
            "certificates": [keys.certificates[EBC]],
        }
        response = client.post(
            "/registry/import",
            content=json.dumps(dishonest, ensure_ascii=False).encode(),
            headers={**zone.of(AgencyRole.ZONE_ADMIN), "Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 200, response.text
        inspected = _send(client, zone, keys, list(import_docs(Parcel(2)).values()))[-1]
        assert inspected["returnStatus"] == "500"
        yield World(
            client,
            factory,
            zone,
            keys,
            released["invtNo"],
            inspected["invtNo"],
            p.order_no,
            docs["CEB621"].guid,
        )
    engine.dispose()


Request = Callable[[World, str], dict[str, Any]]


def _get(path: str) -> Request:
    return lambda w, persona: {"method": "GET", "url": path.format(w=w)}


def _message(w: World, persona: str) -> dict[str, Any]:
    """A new order of the persona's own enterprise (the party's is an inventory it declares)."""
    n = 1000 + uuid.uuid4().int % 1_000_000
    doc = import_docs(Parcel(n))["CEB621"] if persona != "other" else order_311(Parcel(n))
    if persona == "other":
        doc.sender = OTHER
    return {
        "method": "POST",
        "url": "/messages",
        "content": w.keys.sign(doc),
        "headers": {"Content-Type": "application/xml"},
    }


def _batch(w: World, persona: str) -> dict[str, Any]:
    single = _message(w, persona)
    return {
        "method": "POST",
        "url": "/messages/batch",
        "json": {"messages": [single["content"].decode()]},
    }


def _import(w: World, persona: str) -> dict[str, Any]:
    line = {"kind": "person", "id_type": "1", "id_number": BUYER_ID, "name": "张三"}
    return {
        "method": "POST",
        "url": "/registry/import",
        "content": json.dumps(line, ensure_ascii=False).encode(),
        "headers": {"Content-Type": "application/x-ndjson"},
    }


def _inspection(w: World, persona: str) -> dict[str, Any]:
    return {
        "method": "POST",
        "url": f"/inventories/{w.inspected}/inspection",
        "json": {"passed": True, "note": "开箱查验无误"},
    }


def _targets(w: World, persona: str) -> dict[str, Any]:
    return {
        "method": "PUT",
        "url": "/statistics/targets/2026",
        "json": {"values": {"demonstration_parks": 3}},
    }


def _facilities(w: World, persona: str) -> dict[str, Any]:
    line = {
        "kind": "demonstration_park",
        "code": "PARK-001",
        "name": "许昌跨境园",
        "filed_on": "2025-01-01",
    }
    return {
        "method": "POST",
        "url": "/statistics/facilities",
        "content": json.dumps(line, ensure_ascii=False).encode(),
        "headers": {"Content-Type": "application/x-ndjson"},
    }


def _summary(w: World, persona: str) -> dict[str, Any]:
    """Not a CEB701: an enterprise's is judged and refused (422), anyone else may not send."""
    return {
        "method": "POST",
        "url": "/summaries",
        "content": b"<x/>",
        "headers": {"Content-Type": "application/xml"},
    }


def _invoice(w: World, persona: str) -> dict[str, Any]:
    body = {
        "ebcCode": EBC,
        "invoiceCode": "4100261130",
        "invoiceNo": f"{PERSONAS.index(persona):08d}",
        "hsCode": "6704200000",
        "itemName": "人发制假发",
        "amountFen": 100_000,
        "taxFen": 13_000,
        "issuedOn": "20260501",
    }
    return {"method": "POST", "url": "/summaries/invoices", "json": body}


def _rebate_class(w: World, persona: str) -> dict[str, Any]:
    body = {"ebcCode": EBC, "rebateClass": "1", "note": "一类出口企业"}
    return {"method": "POST", "url": "/summaries/rebate-classes", "json": body}


def _signin(w: World, persona: str) -> dict[str, Any]:
    return {"method": "POST", "url": "/signin", "data": {"key": w.key(persona)}}


def _post(path: str, **body: Any) -> Request:
    return lambda w, persona: {"method": "POST", "url": path, **body}


def _row(*statuses: int) -> dict[str, int]:
    assert len(statuses) == len(PERSONAS)
    return dict(zip(PERSONAS, statuses, strict=True))


# Columns: anonymous, party, other, customs, tax, public_security, statistics, zone_admin.
ALL = _row(200, 200, 200, 200, 200, 200, 200, 200)
SIGNED_IN = _row(401, 200, 200, 200, 200, 200, 200, 200)
SCOPED = _row(401, 200, 404, 200, 200, 200, 200, 200)
ADMIN_WRITE = _row(401, 403, 403, 403, 403, 403, 403, 200)
ENTERPRISE_WRITE = _row(401, 200, 200, 403, 403, 403, 403, 403)
STATISTICS_READ = _row(401, 200, 200, 200, 200, 403, 200, 200)
CONSOLE = _row(303, 200, 200, 200, 200, 200, 200, 200)
CONSOLE_SCOPED = _row(303, 200, 404, 200, 200, 200, 200, 200)

MATRIX: dict[tuple[str, str], tuple[Request, dict[str, int]]] = {
    ("GET", "/health"): (_get("/health"), ALL),
    # Registry.
    ("POST", "/registry/import"): (_import, ADMIN_WRITE),
    ("GET", "/registry/enterprises"): (_get("/registry/enterprises"), SIGNED_IN),
    ("GET", "/registry/enterprises/{code}"): (_get(f"/registry/enterprises/{AGENT}"), SCOPED),
    # Clearance.
    ("POST", "/messages"): (_message, ENTERPRISE_WRITE),
    ("POST", "/messages/batch"): (_batch, ENTERPRISE_WRITE),
    ("GET", "/messages/{guid}/receipts"): (_get("/messages/{w.message_guid}/receipts"), SCOPED),
    ("GET", "/inventories/{invt_no}"): (_get("/inventories/{w.released}"), SCOPED),
    ("GET", "/inventories"): (
        _get("/inventories?orderNo={w.order_no}&ebpCode=" + EBP),
        SCOPED,
    ),
    ("POST", "/inventories/{invt_no}/inspection"): (
        _inspection,
        _row(401, 403, 403, 200, 403, 403, 403, 403),
    ),
    ("POST", "/sweep"): (_post("/sweep"), _row(401, 403, 403, 200, 403, 403, 403, 200)),
    # Statistics: zone-wide roles and enterprises (their own figures); others refused.
    ("GET", "/statistics/dashboard"): (_get("/statistics/dashboard"), STATISTICS_READ),
    ("GET", "/statistics/indicators/{name}"): (
        _get("/statistics/indicators/lists_declared"),
        STATISTICS_READ,
    ),
    ("GET", "/statistics/indicators/{name}/export"): (
        _get("/statistics/indicators/lists_declared/export"),
        STATISTICS_READ,
    ),
    ("GET", "/statistics/targets"): (_get("/statistics/targets"), STATISTICS_READ),
    ("PUT", "/statistics/targets/{year}"): (_targets, ADMIN_WRITE),
    ("POST", "/statistics/facilities"): (_facilities, ADMIN_WRITE),
    ("GET", "/statistics/facilities"): (_get("/statistics/facilities"), STATISTICS_READ),
    # The console (signed in by cookie; others are sent to the sign-in page at /).
    ("GET", "/"): (_get("/"), ALL),
    ("GET", "/signin"): (_get("/signin"), _row(200, 303, 303, 303, 303, 303, 303, 303)),
    ("POST", "/signin"): (_signin, _row(401, 303, 303, 303, 303, 303, 303, 303)),
    ("POST", "/signout"): (_post("/signout"), _row(303, 303, 303, 303, 303, 303, 303, 303)),
    ("GET", "/console/inventories"): (_get("/console/inventories"), CONSOLE),
    ("GET", "/console/inventories/{invt_no}"): (
        _get("/console/inventories/{w.released}"),
        CONSOLE_SCOPED,
    ),
    ("GET", "/console/orders/{ebp_code}/{order_no}"): (
        _get("/console/orders/" + EBP + "/{w.order_no}"),
        CONSOLE_SCOPED,
    ),
    ("GET", "/console/summaries"): (
        _get("/console/summaries"),
        _row(303, 200, 200, 200, 200, 303, 200, 200),
    ),
    ("GET", "/console/summaries/{sum_no}"): (
        # No such summary: readers get the not-found page, others the sign-in redirect.
        _get("/console/summaries/NOSUCHSUMMARY"),
        _row(303, 404, 404, 404, 404, 303, 404, 404),
    ),
    ("GET", "/console/registry"): (_get("/console/registry"), CONSOLE),
    ("GET", "/static/console/{name}"): (_get("/static/console/console.css"), ALL),
    # Summary declaration and export tax treatment.
    ("POST", "/summaries"): (_summary, _row(401, 422, 422, 403, 403, 403, 403, 403)),
    ("GET", "/summaries"): (_get("/summaries"), SIGNED_IN),
    ("GET", "/summaries/warnings"): (_get("/summaries/warnings"), SIGNED_IN),
    ("POST", "/summaries/invoices"): (_invoice, _row(401, 403, 403, 403, 201, 403, 403, 201)),
    ("GET", "/summaries/invoices"): (_get("/summaries/invoices?ebcCode=" + EBC), SIGNED_IN),
    ("POST", "/summaries/rebate-classes"): (
        _rebate_class,
        _row(401, 403, 403, 403, 200, 403, 403, 200),
    ),
    ("GET", "/summaries/rebate-classes"): (_get("/summaries/rebate-classes"), SIGNED_IN),
    ("GET", "/summaries/{sum_no}"): (
        # No such summary: every reader is told so.
        _get("/summaries/NOSUCHSUMMARY"),
        _row(401, 404, 404, 404, 404, 404, 404, 404),
    ),
    ("GET", "/summaries/{sum_no}/rebate.csv"): (
        _get("/summaries/NOSUCHSUMMARY/rebate.csv"),
        _row(401, 404, 404, 404, 404, 403, 403, 404),
    ),
    ("GET", PLOTLY_URL): (_get(PLOTLY_URL), ALL),
}


def _routes() -> set[tuple[str, str]]:
    app = create_app(database_url="sqlite://")
    found = set()
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute) or context.path in SKIPPED:
            continue
        for method in context.methods or ():
            if method != "HEAD":
                found.add((method, str(context.path)))
    return found


def test_every_route_has_a_row() -> None:
    routes = _routes()
    assert sorted(routes - MATRIX.keys()) == [], "routes without a row in MATRIX"
    assert sorted(MATRIX.keys() - routes) == [], "rows for routes the app no longer has"


def _call(world: World, request: Request, persona: str) -> Any:
    spec = request(world, persona)
    headers = {**spec.pop("headers", {}), **world.headers(persona)}
    cookies = {"sw_key": world.key(persona)} if persona != "anonymous" else {}
    world.client.cookies.clear()
    world.client.cookies.update(cookies)
    try:
        return world.client.request(headers=headers, **spec)
    finally:
        world.client.cookies.clear()


@pytest.mark.parametrize(
    "route",
    [pytest.param(key, id=f"{key[0]}_{key[1]}_case") for key in MATRIX],
)
def test_authorization(world: World, route: tuple[str, str]) -> None:
    request, expected = MATRIX[route]
    got = {}
    for persona in PERSONAS:
        before = world.counts()
        response = _call(world, request, persona)
        got[persona] = response.status_code
        if route[0] != "GET" and response.status_code >= 300 and route[1] != "/signout":
            assert world.counts() == before, f"{persona}: a refused write changed rows"
    assert got == expected


@pytest.mark.parametrize(
    ("persona", "whole"),
    [
        pytest.param("customs", True, id="customs_sees_whole_case"),
        pytest.param("public_security", True, id="public_security_sees_whole_case"),
        pytest.param("party", False, id="party_enterprise_masked_case"),
        pytest.param("tax", False, id="tax_masked_case"),
        pytest.param("statistics", False, id="statistics_masked_case"),
        pytest.param("zone_admin", False, id="zone_admin_masked_case"),
    ],
)
def test_buyer_id_number_is_whole_only_for_customs_and_public_security(
    world: World, persona: str, whole: bool
) -> None:
    response = _call(world, _get("/inventories/{w.released}"), persona)
    assert response.status_code == 200
    expected = BUYER_ID if whole else BUYER_ID[:6] + "********" + BUYER_ID[-4:]
    assert response.json()["buyerIdNumber"] == expected


def test_another_enterprise_gets_404_exactly_as_for_an_unknown_inventory(world: World) -> None:
    theirs = _call(world, _get("/inventories/{w.released}"), "other")
    unknown = _call(world, _get("/inventories/46212026I999999999"), "other")
    assert (theirs.status_code, unknown.status_code) == (404, 404)
    assert [e["code"] for e in theirs.json()["errors"]] == ["inventory.not_found"]
    assert theirs.json()["errors"][0]["message_en"].replace(world.released, "X") == unknown.json()[
        "errors"
    ][0]["message_en"].replace("46212026I999999999", "X")
