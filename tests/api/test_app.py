from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from singlewindow.auth import service as auth
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.session import unit_of_work
from singlewindow.registry import service as registry
from singlewindow.registry.tables import EnterpriseRow

SELLER = "91411000MA9XC7Q2X8"
PLATFORM = "91370000728611939A"
ZONE: list[dict[str, object]] = [
    {
        "kind": "enterprise",
        "code": SELLER,
        "name": "许昌发制品",
        "roles": ["ebc"],
        "county": "建安区",
    },
    {"kind": "enterprise", "code": PLATFORM, "name": "许昌跨境平台", "roles": ["ebp"]},
]


def _jsonl(rows: list[dict[str, object]]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8")


def _key(factory: sessionmaker[Session], role: AgencyRole, enterprise: str | None = None) -> str:
    with unit_of_work(factory) as session:
        return auth.add_user(session, role, role.value, enterprise)[1]


def _file_zone(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as session:
        registry.import_records(session, _jsonl(ZONE).decode().splitlines())


def _enterprise_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(EnterpriseRow)) or 0


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    spec = client.get("/openapi.json").json()
    assert {
        "/health",
        "/registry/import",
        "/registry/enterprises",
        "/registry/enterprises/{code}",
    } <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no_key_case"),
        pytest.param({"X-API-Key": "sw_wrong"}, id="wrong_key_case"),
    ],
)
def test_401_without_a_valid_key(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/registry/enterprises", headers=headers)
    assert response.status_code == 401
    assert [e["code"] for e in response.json()["errors"]] == ["auth.key_invalid"]


def test_http_import_by_zone_admin(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    key = _key(session_factory, AgencyRole.ZONE_ADMIN)
    response = client.post(
        "/registry/import",
        content=_jsonl(ZONE),
        headers={"X-API-Key": key, "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"enterprises": 2, "commodities": 0, "persons": 0, "certificates": 0}
    assert _enterprise_count(session_factory) == 2


def test_http_import_refuses_bad_lines_and_stores_nothing(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    key = _key(session_factory, AgencyRole.ZONE_ADMIN)
    bad = [
        *ZONE,
        {"kind": "person", "id_type": "1", "id_number": "340524198001010013", "name": "李四"},
    ]
    response = client.post("/registry/import", content=_jsonl(bad), headers={"X-API-Key": key})
    assert response.status_code == 422
    assert response.json() == {
        "errors": [
            {
                "code": "registry.id_check_digit",
                "path": "id_number",
                "line": 3,
                "record": "line 3",
                "message_zh": "身份证号码校验码错误（GB 11643）",
                "message_en": "the resident ID number fails its check character (GB 11643)",
            }
        ]
    }
    assert _enterprise_count(session_factory) == 0


@pytest.mark.parametrize(
    "role",
    [
        pytest.param(AgencyRole.CUSTOMS, id="customs_case"),
        pytest.param(AgencyRole.ENTERPRISE, id="enterprise_case"),
    ],
)
def test_http_import_is_for_zone_admin_only(
    client: TestClient, session_factory: sessionmaker[Session], role: AgencyRole
) -> None:
    _file_zone(session_factory)
    key = _key(session_factory, role, SELLER if role is AgencyRole.ENTERPRISE else None)
    extra = [{"kind": "enterprise", "code": "4101960ABC", "name": "丙", "roles": ["agent"]}]
    response = client.post("/registry/import", content=_jsonl(extra), headers={"X-API-Key": key})
    assert response.status_code == 403
    assert [e["code"] for e in response.json()["errors"]] == ["auth.role_forbidden"]
    assert _enterprise_count(session_factory) == 2


def test_enterprise_sees_only_itself(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    _file_zone(session_factory)
    key = {"X-API-Key": _key(session_factory, AgencyRole.ENTERPRISE, SELLER)}
    own = client.get(f"/registry/enterprises/{SELLER}", headers=key)
    assert own.status_code == 200
    assert own.json() == {
        "code": SELLER,
        "name": "许昌发制品",
        "roles": ["ebc"],
        "credit_class": "regular",
        "county": "建安区",
        "park": None,
        "certificate_fingerprints": [],
    }
    other = client.get(f"/registry/enterprises/{PLATFORM}", headers=key)
    unknown = client.get("/registry/enterprises/4101960XYZ", headers=key)
    assert (other.status_code, unknown.status_code) == (404, 404)
    assert other.json() == unknown.json()
    listed = client.get("/registry/enterprises", headers=key)
    assert [e["code"] for e in listed.json()] == [SELLER]


def test_officer_sees_every_enterprise(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    _file_zone(session_factory)
    key = {"X-API-Key": _key(session_factory, AgencyRole.CUSTOMS)}
    listed = client.get("/registry/enterprises", headers=key)
    assert [e["code"] for e in listed.json()] == sorted([SELLER, PLATFORM])
    assert (
        client.get(f"/registry/enterprises/{PLATFORM}", headers=key).json()["name"]
        == "许昌跨境平台"
    )
    assert client.get("/registry/enterprises/4101960XYZ", headers=key).status_code == 404
