"""Hypothesis over the HTTP API: hostile and malformed requests get a coded refusal, never a 5xx.

One app per module on its own database (SQLite, or PostgreSQL when
SINGLEWINDOW_TEST_DATABASE_URL is set), the zone filed over HTTP with a key per enterprise and
agency (tests/release/harness.py) and one parcel released. Fuzzed: the bodies of POST /messages
and /messages/batch (bytes, signed messages of tests/release/builders mutated, hostile
documents, wrong content types), every GET route of the route table with fuzzed path and query
parameters, the X-API-Key header, and the JSON / NDJSON write routes with random JSON.

Properties of every answer: no 5xx; a 4xx carries the coded error shape ({"errors": [{"code":
"family.reason", ...}]}; the console's pages carry the code as data-code; a 429 has
Retry-After); a receipt that refuses (returnStatus 100 or negative) names its reasons; a refused
write (4xx) changes no row of any table; each request ends within a bound.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.api.test_authorization_matrix import _module_database
from tests.release.builders import AGENT, EBP, NOW, Parcel, import_docs
from tests.release.export_builders import export_docs
from tests.release.harness import HttpZone, Keys, file_zone_over_http, make_keys

from singlewindow.api.app import create_app
from singlewindow.api.ratelimit import RATE_LIMIT_ENV
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.base import Base
from singlewindow.db.migrate import upgrade
from singlewindow.db.session import make_engine, make_sessionmaker
from singlewindow.kit.clock import FixedClock

__all__ = ["_module_database"]  # the module's database, as the authorization matrix makes it

pytestmark = pytest.mark.postgres  # ~20 s on PostgreSQL, as on SQLite

CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
BOUND_S = 10.0  # one request, on a loaded 2-core CI machine
FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/xml",
        "application/json",
        "application/x-ndjson",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/xml; charset=utf-16",
        None,
    ]
)
DEEP = 5_000
HOSTILE = [
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    b"<CEB311Message>&b;</CEB311Message>",
    b'<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><x/>',
    b"<a>" * DEEP + b"</a>" * DEEP,
    b'<?xml version="1.0" encoding="UTF-16"?><CEB311Message/>',
    b"\xef\xbb\xbf" + b"<CEB311Message>" + b"A" * 100_000,
    b"",
    b"[" * DEEP,
]


@dataclass(repr=False)  # a failing example prints its arguments; keys and clients are noise
class World:
    client: TestClient
    factory: sessionmaker[Session]
    zone: HttpZone
    keys: Keys
    signed: list[bytes]  # signed messages not yet sent
    known: list[str]  # path values that reach stored things
    get_routes: list[tuple[str, list[str], list[str]]]  # path, path params, query params

    @property
    def all_keys(self) -> list[str]:
        return [*self.zone.enterprise_keys.values(), *self.zone.agency_keys.values()]

    def counts(self) -> dict[str, int]:
        with self.factory() as session:
            return {
                t.name: session.scalar(select(func.count()).select_from(t)) or 0
                for t in Base.metadata.sorted_tables
            }


@pytest.fixture(scope="module")
def world(_module_database: str) -> Iterator[World]:
    engine = make_engine(_module_database)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    keys = make_keys()
    with pytest.MonkeyPatch.context() as patch:
        # Throttling is tested in tests/api/test_ratelimit.py; here the buckets never run dry.
        patch.setenv(RATE_LIMIT_ENV, "100000")
        app = create_app(database_url=_module_database, clock=FixedClock(NOW))
    with TestClient(app, follow_redirects=False) as client:
        zone = file_zone_over_http(client, factory, keys)
        docs = import_docs(Parcel(1))
        receipts = []
        for doc in docs.values():
            response = client.post(
                "/messages",
                content=keys.sign(doc),
                headers={**zone.of(doc.sender), "Content-Type": "application/xml"},
            )
            receipts.extend(response.json()["receipts"])
        assert receipts[-1]["returnStatus"] == "800"
        signed = [keys.sign(d) for d in import_docs(Parcel(2)).values()]
        signed += [keys.sign(d) for d in export_docs(Parcel(3)).values()]
        get_routes = []
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if isinstance(route, APIRoute) and "GET" in (context.methods or ()):
                get_routes.append(
                    (
                        str(context.path),
                        [p.name for p in route.dependant.path_params],
                        [p.alias for p in route.dependant.query_params],
                    )
                )
        known = [receipts[-1]["invtNo"], docs["CEB621"].guid, EBP, AGENT, "ORD00000001"]
        yield World(client, factory, zone, keys, signed, known, sorted(get_routes))
    engine.dispose()


def judge(response: Any, *, path: str = "") -> None:
    """The properties every answer has."""
    status = response.status_code
    assert status < 500, (status, response.text[:500])
    if status < 400:
        return
    kind = response.headers.get("content-type", "")
    if status == 429:
        assert response.headers.get("retry-after")
    if kind.startswith("text/html"):
        # The console answers a browser with a page: its error page names the code; a wrong
        # key typed into the sign-in form gets the form again.
        assert 'data-code="' in response.text or (path == "/signin" and status == 401)
        return
    errors = response.json()["errors"]
    assert errors, response.text
    for error in errors:
        assert CODE.match(error["code"]), error
        assert error["message_en"] and error["message_zh"], error


def judge_receipts(response: Any) -> list[dict[str, Any]]:
    if response.status_code != 200:
        return []
    receipts: list[dict[str, Any]] = response.json()["receipts"]
    assert receipts
    for receipt in receipts:
        status = receipt["returnStatus"]
        if status == "100" or status.startswith("-"):
            assert receipt["reasons"], receipt
            assert all(CODE.match(r) for r in receipt["reasons"]), receipt
    return receipts


def send(world: World, method: str, url: str, **kwargs: Any) -> Any:
    start = time.perf_counter()
    world.client.cookies.clear()
    response = world.client.request(method, url, **kwargs)
    world.client.cookies.clear()
    assert time.perf_counter() - start < BOUND_S
    return response


def fuzzed(world: World, method: str, url: str, **kwargs: Any) -> Any:
    """`send` inside a Hypothesis example: the status is counted (--hypothesis-show-statistics
    shows how deep the examples reach)."""
    response = send(world, method, url, **kwargs)
    event(f"status {response.status_code}")
    return response


def mutated(world: World, index: int, at: int, junk: bytes, cut: int) -> bytes:
    seed = world.signed[index % len(world.signed)]
    i = at % (len(seed) + 1)
    return seed[:i] + junk + seed[i + cut :]


MUTATION = st.tuples(
    st.integers(0, 100), st.integers(0, 10**6), st.binary(max_size=12), st.integers(0, 40)
)
BODIES = st.one_of(
    st.binary(max_size=2048),
    st.sampled_from(HOSTILE),
    MUTATION.map(lambda m: ("mutated", m)),
)


# --- POST /messages and /messages/batch ----------------------------------------------------


@FUZZ
@given(body=BODIES, content_type=CONTENT_TYPES, batch=st.booleans(), as_json=st.booleans())
def test_message_bodies_get_receipts_or_coded_refusals(
    world: World, body: Any, content_type: str | None, batch: bool, as_json: bool
) -> None:
    data = mutated(world, *body[1]) if isinstance(body, tuple) else body
    if batch and as_json:
        data = json.dumps({"messages": [data.decode("utf-8", "replace")]}).encode()
    headers = dict(world.zone.of(AGENT))
    if content_type:
        headers["Content-Type"] = content_type
    before = world.counts()
    url = "/messages/batch" if batch else "/messages"
    response = fuzzed(world, "POST", url, content=data, headers=headers)
    judge(response)
    receipts = judge_receipts(response)
    refused = all(r["returnStatus"] == "100" or r["returnStatus"].startswith("-") for r in receipts)
    if response.status_code >= 400 or refused:
        assert world.counts() == before


# --- every GET route ----------------------------------------------------------------------

WIDE_INT = st.integers(-(2**64), 2**64)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@st.composite
def get_requests(draw: st.DrawFn, world: World) -> str:
    path, params, query = draw(st.sampled_from(world.get_routes))
    for name in params:
        value = draw(st.sampled_from(world.known) | TEXT | st.integers().map(str))
        path = path.replace("{" + name + "}", quote(value, safe=""))
    pairs = [
        (
            name,
            draw(TEXT | st.integers(-(2**63), 2**63 - 1).map(str) | st.sampled_from(world.known)),
        )
        for name in query
        if draw(st.booleans())
    ]
    pairs += draw(st.lists(st.tuples(TEXT, TEXT), max_size=2))
    if pairs:
        path += "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    return path


@FUZZ
@given(data=st.data(), persona=st.integers(0, 20), cookie=st.booleans())
def test_get_routes_with_fuzzed_parameters_answer_or_refuse_with_a_code(
    world: World, data: st.DataObject, persona: int, cookie: bool
) -> None:
    url = data.draw(get_requests(world))
    keys = world.all_keys
    key = keys[persona] if persona < len(keys) else ""
    headers = {"X-API-Key": key} if key and not cookie else {}
    cookies = {"sw_key": key} if key and cookie else {}
    response = fuzzed(world, "GET", url, headers=headers, cookies=cookies)
    judge(response, path=url.split("?")[0])


# --- the API key -------------------------------------------------------------------------


@FUZZ
@given(
    key=st.one_of(
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200),
        st.integers(1, 20_000).map(lambda n: "k" * n),
        st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
    ),
    route=st.sampled_from(["/registry/enterprises", "/summaries", "/statistics/targets"]),
)
def test_made_up_api_keys_are_refused_as_unauthenticated(
    world: World, key: str, route: str
) -> None:
    value = key.encode("utf-8").translate(None, b"\r\n\x00")
    response = fuzzed(world, "GET", route, headers={"X-API-Key": value})
    assert response.status_code == 401, response.text
    assert [e["code"] for e in response.json()["errors"]] == ["auth.key_invalid"]
    assert response.headers["www-authenticate"] == "APIKey"


# --- JSON and NDJSON write routes --------------------------------------------------------

NAMES = st.sampled_from(
    [
        "messages", "values", "passed", "note", "ebcCode", "invoiceCode", "invoiceNo", "hsCode",
        "itemName", "amountFen", "taxFen", "issuedOn", "rebateClass", "kind", "code", "name",
        "roles", "credit_class", "certificates", "id_type", "id_number", "filed_on",
        "demonstration_parks", "county",
    ]
)  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES | TEXT, inner, max_size=5),
    max_leaves=20,
)
WRITES = [
    ("POST", "/registry/import", AgencyRole.ZONE_ADMIN, "application/x-ndjson"),
    ("POST", "/statistics/facilities", AgencyRole.ZONE_ADMIN, "application/x-ndjson"),
    ("PUT", "/statistics/targets/2026", AgencyRole.ZONE_ADMIN, "application/json"),
    ("PUT", "/statistics/targets/0", AgencyRole.ZONE_ADMIN, "application/json"),
    ("POST", "/summaries/invoices", AgencyRole.TAX, "application/json"),
    ("POST", "/summaries/rebate-classes", AgencyRole.TAX, "application/json"),
    ("POST", "/inventories/NOSUCH/inspection", AgencyRole.CUSTOMS, "application/json"),
    ("POST", "/summaries", None, "application/xml"),
    ("POST", "/sweep", AgencyRole.CUSTOMS, "application/json"),
]


@FUZZ
@given(
    write=st.sampled_from(WRITES),
    lines=st.lists(JSON, min_size=1, max_size=3),
    raw=st.one_of(st.none(), st.binary(max_size=64), st.sampled_from(HOSTILE)),
)
def test_json_writes_with_random_documents_are_coded(
    world: World, write: tuple[str, str, AgencyRole | None, str], lines: list[Any], raw: Any
) -> None:
    method, url, role, content_type = write
    who = world.zone.of(role) if role is not None else world.zone.of(AGENT)
    if raw is not None:
        body = raw
    elif content_type == "application/x-ndjson":
        body = "\n".join(json.dumps(line) for line in lines).encode()
    else:
        body = json.dumps(lines[0]).encode()
    before = world.counts()
    response = fuzzed(
        world, method, url, content=body, headers={**who, "Content-Type": content_type}
    )
    judge(response)
    if response.status_code >= 400:
        assert world.counts() == before
