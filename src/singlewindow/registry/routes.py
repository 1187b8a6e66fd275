"""HTTP routes of the one filing: import (zone administration) and reading enterprises."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from singlewindow.auth.dependencies import PrincipalDep, require_role
from singlewindow.auth.domain import AgencyRole, Principal
from singlewindow.db.dependencies import SessionDep
from singlewindow.kit.errors import DomainError
from singlewindow.registry import service
from singlewindow.registry.schemas import EnterpriseOut, ImportReportOut

router = APIRouter(prefix="/registry", tags=["registry"])

JSONL_MEDIA_TYPE = "application/x-ndjson"


async def _jsonl_body(request: Request) -> str:
    raw = await request.body()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DomainError.of(
            "registry.body_not_utf8", "请求体不是UTF-8文本", "the body is not UTF-8 text"
        ) from error


@router.post(
    "/import",
    response_model=ImportReportOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {JSONL_MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    },
)
def import_registry(
    session: SessionDep,
    admin: Annotated[Principal, Depends(require_role(AgencyRole.ZONE_ADMIN))],
    body: Annotated[str, Depends(_jsonl_body)],
) -> ImportReportOut:
    """File JSONL records (one JSON object a line). All or nothing: 422 lists every bad line."""
    report = service.import_records(session, body.splitlines(), actor=f"user:{admin.user_id}")
    return ImportReportOut.of(report)


@router.get("/enterprises", response_model=list[EnterpriseOut])
def list_enterprises(
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[EnterpriseOut]:
    """Filed enterprises by code; an enterprise user sees only its own."""
    only = principal.enterprise_code if principal.is_enterprise else None
    found = service.list_enterprises(session, only_code=only, limit=limit, offset=offset)
    return [EnterpriseOut.of(e) for e in found]


@router.get("/enterprises/{code}", response_model=EnterpriseOut)
def get_enterprise(session: SessionDep, principal: PrincipalDep, code: str) -> EnterpriseOut:
    """One filed enterprise; another enterprise's record is 404, as if it did not exist."""
    if principal.is_enterprise and code != principal.enterprise_code:
        code = ""  # out of scope: answer exactly as for an unknown code
    return EnterpriseOut.of(service.get_enterprise(session, code))
