"""500s the API fuzzing found (tests/fuzz/test_api_hypothesis.py, bench/fuzz_api.py,
bench/fuzz_verify.py), each refused since with a coded error that changes nothing stored.

The same module world as the Hypothesis tests (its fixture, on its own database here).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.fuzz.test_api_hypothesis import (
    DEEP,
    World,
    _module_database,
    judge,
    judge_receipts,
    send,
    world,
)
from tests.release.builders import AGENT, EBP

from singlewindow.auth.domain import AgencyRole

__all__ = ["_module_database", "world"]  # fixtures, as test_api_hypothesis makes them

pytestmark = pytest.mark.postgres


def test_signed_message_with_a_relative_namespace_uri_is_refused_with_a_code(world: World) -> None:
    """Well-formed, but C14N 1.0 has no form for it (a 500 found by bench/fuzz_verify.py): the
    signature check, which canonicalises the document, refuses it."""
    data = world.signed[0]
    at = data.index(b"Message", data.index(b"<ceb:CEB")) + len(b"Message")
    before = world.counts()
    response = send(
        world,
        "POST",
        "/messages",
        content=data[:at] + b' xmlns:z="relative/uri"' + data[at:],
        headers={**world.zone.of(EBP), "Content-Type": "application/xml"},
    )
    judge(response)
    assert [(r["returnStatus"], r["reasons"]) for r in judge_receipts(response)] == [
        ("100", ["signature.not_canonicalisable"])
    ]
    assert world.counts() == before


@pytest.mark.parametrize(
    ("url", "code"),
    [
        pytest.param("/registry/import", "registry.line_not_json", id="registry_case"),
        pytest.param("/statistics/facilities", "statistics.line_not_json", id="facilities_case"),
    ],
)
def test_deeply_nested_json_line_is_refused_with_a_code(world: World, url: str, code: str) -> None:
    before = world.counts()
    response = send(
        world,
        "POST",
        url,
        content=b"[" * DEEP,
        headers={**world.zone.of(AgencyRole.ZONE_ADMIN), "Content-Type": "application/x-ndjson"},
    )
    judge(response)
    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == [code]
    assert world.counts() == before


@pytest.mark.parametrize("url", ["/summaries", "/registry/enterprises"])
def test_offset_beyond_64_bits_is_refused_with_a_code(world: World, url: str) -> None:
    response = send(
        world, "GET", f"{url}?offset={2**64}", headers=world.zone.of(AgencyRole.CUSTOMS)
    )
    judge(response)
    assert response.status_code == 422
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [
        ("request.invalid", "query/offset")
    ]


@pytest.mark.parametrize(
    ("url", "where"),
    [
        pytest.param("/inventories/%00", "path", id="path_case"),
        pytest.param("/console/inventories/A%00B", "path", id="console_path_case"),
        pytest.param("/inventories?orderNo=%00&ebpCode=X", "query", id="query_case"),
        pytest.param("/summaries/invoices?ebcCode=a%00", "query", id="summary_query_case"),
    ],
)
def test_nul_in_the_url_is_refused_with_a_code(world: World, url: str, where: str) -> None:
    """PostgreSQL refuses NUL in a bound text parameter (a 500 found by this module on CI)."""
    before = world.counts()
    response = send(world, "GET", url, headers=world.zone.of(AgencyRole.CUSTOMS))
    judge(response)
    assert response.status_code == 422
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [
        ("request.nul_character", where)
    ]
    assert world.counts() == before


NUL_BODIES = [
    pytest.param(
        "/registry/import",
        AgencyRole.ZONE_ADMIN,
        {"kind": "enterprise", "code": EBP, "name": "A\x00B", "roles": ["ebp"]},
        ("registry.field_control_character", "name"),
        id="registry_case",
    ),
    pytest.param(
        "/statistics/facilities",
        AgencyRole.ZONE_ADMIN,
        {"kind": "training_base", "code": "TB1", "name": "A\x00", "filed_on": "2026-01-01"},
        ("statistics.field_control_character", "name"),
        id="facilities_case",
    ),
    pytest.param(
        "/summaries/rebate-classes",
        AgencyRole.TAX,
        {"ebcCode": AGENT, "rebateClass": "1", "note": "\x00"},
        ("request.invalid", "body/note"),
        id="rebate_note_case",
    ),
    pytest.param(
        "/inventories/NOSUCH/inspection",
        AgencyRole.CUSTOMS,
        {"passed": True, "note": "ok\x07"},
        ("request.invalid", "body/note"),
        id="inspection_note_case",
    ),
]


@pytest.mark.parametrize(("url", "role", "body", "error"), NUL_BODIES)
def test_control_characters_in_stored_text_are_refused_with_a_code(
    world: World, url: str, role: AgencyRole, body: dict[str, Any], error: tuple[str, str]
) -> None:
    before = world.counts()
    response = send(
        world,
        "POST",
        url,
        content=json.dumps(body).encode(),
        headers={**world.zone.of(role), "Content-Type": "application/json"},
    )
    judge(response)
    assert response.status_code == 422
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [error]
    assert world.counts() == before


INVOICE = {"ebcCode": AGENT, "invoiceCode": "1", "invoiceNo": "2", "hsCode": "6704110000"}


@pytest.mark.parametrize(
    ("method", "url", "role", "body", "path"),
    [
        pytest.param(
            "PUT",
            "/statistics/targets/2026",
            AgencyRole.ZONE_ADMIN,
            {"values": {"cbec_transaction_value": 2**63}},
            "body/values/cbec_transaction_value",
            id="target_case",
        ),
        pytest.param(
            "POST",
            "/summaries/invoices",
            AgencyRole.TAX,
            {**INVOICE, "amountFen": 2**31, "taxFen": 0, "issuedOn": "20260101"},
            "body/amountFen",
            id="invoice_case",
        ),
    ],
)
def test_integers_past_the_stored_column_are_refused_with_a_code(
    world: World, method: str, url: str, role: AgencyRole, body: dict[str, Any], path: str
) -> None:
    """The database's integer columns refused them with a 500 on PostgreSQL."""
    before = world.counts()
    response = send(
        world,
        method,
        url,
        content=json.dumps(body).encode(),
        headers={**world.zone.of(role), "Content-Type": "application/json"},
    )
    judge(response)
    assert response.status_code == 422
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [
        ("request.invalid", path)
    ]
    assert world.counts() == before


def test_a_facility_kind_that_is_not_text_is_refused_with_a_code(world: World) -> None:
    """A list as `kind` was looked up in a set (TypeError, 500): found by bench/fuzz_api.py."""
    before = world.counts()
    response = send(
        world,
        "POST",
        "/statistics/facilities",
        content=b'{"kind": [{}, null, null]}\nnull',
        headers={**world.zone.of(AgencyRole.ZONE_ADMIN), "Content-Type": "application/x-ndjson"},
    )
    judge(response)
    assert response.status_code == 422
    assert [(e["code"], e["path"], e["line"]) for e in response.json()["errors"]] == [
        ("statistics.kind_unknown", "kind", 1),
        ("statistics.line_not_json", "", 2),
    ]
    assert world.counts() == before
