"""HTTP routes of the clearance path: submit messages, read receipts and inventories,
record inspection results, sweep."""

from __future__ import annotations

import time
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from singlewindow.auth.dependencies import PrincipalDep, require_role
from singlewindow.auth.domain import AgencyRole, Principal
from singlewindow.db.dependencies import SessionDep
from singlewindow.kit.admission import Admission
from singlewindow.kit.errors import Forbidden
from singlewindow.kit.text import NO_CONTROL_PATTERN
from singlewindow.release import receipts_xml, service, views, withdrawal
from singlewindow.release.context import ClearanceContext, build_context

router = APIRouter(tags=["clearance"])

# The clearance context (code tables, rates, risk config) is rebuilt at most this often, so a
# rate table replaced by `singlewindow tax rates import` is in force within a minute.
_CONTEXT_TTL_SECONDS = 60.0


def get_context(request: Request, session: SessionDep) -> ClearanceContext:
    cached: tuple[float, ClearanceContext] | None = getattr(request.app.state, "clearance", None)
    now = time.monotonic()
    if cached is None or now - cached[0] > _CONTEXT_TTL_SECONDS:
        ctx = build_context(session, clock=request.app.state.clock)
        request.app.state.clearance = (now, ctx)
        return ctx
    return cached[1]


ContextDep = Annotated[ClearanceContext, Depends(get_context)]


class Batch(BaseModel):
    messages: list[str] = Field(max_length=1000, description="CEB XML documents, one per item")


class Receipts(BaseModel):
    receipts: list[dict[str, Any]]


def _submitter(principal: Principal) -> str | None:
    return principal.enterprise_code if principal.role == AgencyRole.ENTERPRISE else None


def _require_enterprise(principal: Principal) -> str:
    if principal.role != AgencyRole.ENTERPRISE or not principal.enterprise_code:
        raise Forbidden.of(
            "auth.enterprise_only", "只有企业可以申报报文", "only enterprises submit messages"
        )
    return principal.enterprise_code


@router.post("/messages", response_model=Receipts)
def submit_one(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    body: Annotated[bytes, Body(media_type="application/xml")],
) -> Response:
    """One CEB message in the standard's XML; one receipt per business record."""
    submitter = _require_enterprise(principal)
    return _clear(request, session, ctx, [body], submitter)


@router.post("/messages/batch", response_model=Receipts)
def submit_batch(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    batch: Batch,
) -> Response:
    """Many CEB messages at once (up to 1,000); receipts in order, one per business record.
    The batch is judged in its own transaction (retried if the database broke a wait cycle)."""
    submitter = _require_enterprise(principal)
    payloads = [m.encode("utf-8") for m in batch.messages]
    return _clear(request, session, ctx, payloads, submitter)


def _clear(
    request: Request,
    session: Session,
    ctx: ClearanceContext,
    payloads: list[bytes],
    submitter: str,
) -> Response:
    """Judge the payloads in their own transaction, once the process admits the request (see
    kit.admission). The request's own session (the key's lookup) gives its connection back
    first: a waiting request holds none. The answer is the `Receipts` document, serialised
    here in one step (orjson) rather than validated again against the model."""
    session.commit()
    admission: Admission = request.app.state.admission
    with admission.slot():
        out = service.submit_with_retry(
            request.app.state.session_factory,
            ctx,
            payloads,
            submitter=submitter,
            actor=f"enterprise:{submitter}",
        )
    answer = Response(
        orjson.dumps({"receipts": [r.as_dict() for r in out]}), media_type="application/json"
    )
    if admission.close_connections:
        answer.headers["Connection"] = "close"
    return answer


@router.get("/messages/{guid}/receipts", response_model=None)
def message_receipts(
    session: SessionDep,
    principal: PrincipalDep,
    guid: str,
    format: Annotated[str, Query(pattern="^(json|xml)$")] = "json",
) -> Receipts | Response:
    """Every receipt issued for a message (the first answers and later status changes)."""
    rows = service.receipts_for(session, guid, principal)
    if format == "xml":
        heads = service.declared_heads(session, guid)
        return Response(receipts_xml.render(rows, heads), media_type="application/xml")
    return Receipts(receipts=[r.as_dict() for r in rows])


@router.get("/inventories/{invt_no}")
def inventory(session: SessionDep, principal: PrincipalDep, invt_no: str) -> dict[str, Any]:
    return views.get_inventory(session, principal, invt_no=invt_no)


@router.get("/inventories")
def inventory_by_order(
    session: SessionDep,
    principal: PrincipalDep,
    order_no: Annotated[str, Query(alias="orderNo")],
    ebp_code: Annotated[str, Query(alias="ebpCode")],
) -> dict[str, Any]:
    return views.get_inventory(session, principal, order_no=order_no, ebp_code=ebp_code)


class InspectionResult(BaseModel):
    passed: bool
    note: str = Field(default="", max_length=500, pattern=NO_CONTROL_PATTERN)


@router.post("/inventories/{invt_no}/inspection", response_model=Receipts)
def inspection_result(
    session: SessionDep,
    ctx: ContextDep,
    invt_no: str,
    result: InspectionResult,
    principal: Annotated[
        Principal, Depends(require_role(AgencyRole.CUSTOMS, AgencyRole.INSPECTION))
    ],
) -> Receipts:
    """An officer's inspection result: release (800) or refuse (100, quota given back)."""
    receipt = withdrawal.record_inspection(
        session,
        ctx,
        invt_no,
        passed=result.passed,
        actor=f"{principal.role}:{principal.name}",
        note=result.note,
    )
    return Receipts(receipts=[receipt.as_dict()])


@router.post("/sweep")
def sweep(
    session: SessionDep,
    ctx: ContextDep,
    principal: Annotated[
        Principal, Depends(require_role(AgencyRole.ZONE_ADMIN, AgencyRole.CUSTOMS))
    ],
) -> dict[str, int]:
    """Refuse inventories whose documents did not all arrive before the deadline."""
    return {"refused": withdrawal.sweep(session, ctx, actor=f"{principal.role}:{principal.name}")}
