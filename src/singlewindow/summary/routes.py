"""HTTP routes of the summary declaration (汇总申报) and export tax treatment."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from singlewindow.auth.dependencies import PrincipalDep, require_role
from singlewindow.auth.domain import AgencyRole, Principal
from singlewindow.db.dependencies import NowDep, SessionDep
from singlewindow.kit.errors import Forbidden
from singlewindow.kit.text import NO_CONTROL_PATTERN
from singlewindow.summary import messages, repository, service, treatment, views

router = APIRouter(tags=["summary"])

FormatQuery = Annotated[str, Query(pattern="^(json|xml)$")]
TaxOfficer = Annotated[Principal, Depends(require_role(AgencyRole.ZONE_ADMIN, AgencyRole.TAX))]


class SummaryReceipts(BaseModel):
    receipts: list[dict[str, Any]]


def _enterprise(principal: Principal) -> str:
    if not principal.is_enterprise or not principal.enterprise_code:
        raise Forbidden.of(
            "auth.enterprise_only", "只有企业可以申报报文", "only enterprises submit messages"
        )
    return principal.enterprise_code


@router.post("/summaries", response_model=None)
def submit(
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    body: Annotated[bytes, Body(media_type="application/xml")],
    format: FormatQuery = "json",
) -> SummaryReceipts | Response:
    """A CEB701 summary application; answered with CEB702 receipts, one per SummaryApply.
    The declarations (CEB792) are formed at once: `GET /summaries/{sumNo}`."""
    code = _enterprise(principal)
    out = service.submit_summary(session, body, submitter=code, actor=f"enterprise:{code}", now=now)
    if format == "xml":
        return Response(messages.render_702(out), media_type="application/xml")
    return SummaryReceipts(receipts=[r.as_dict() for r in out])


@router.get("/summaries")
def list_summaries(
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> dict[str, Any]:
    return {"summaries": views.list_summaries(session, principal, limit=limit, offset=offset)}


@router.get("/summaries/warnings")
def warnings(session: SessionDep, principal: PrincipalDep, now: NowDep) -> dict[str, Any]:
    """Months whose closed inventories were not summarised by the 15th of the next month."""
    return {"warnings": views.list_warnings(session, principal, now)}


INT32_MAX = 2**31 - 1


class InvoiceBody(BaseModel):
    ebcCode: str = Field(max_length=18, pattern=NO_CONTROL_PATTERN)
    invoiceCode: str = Field(max_length=20, pattern=NO_CONTROL_PATTERN)
    invoiceNo: str = Field(max_length=20, pattern=NO_CONTROL_PATTERN)
    hsCode: str = Field(default="", max_length=10, pattern=NO_CONTROL_PATTERN)
    itemName: str = Field(default="", max_length=250, pattern=NO_CONTROL_PATTERN)
    amountFen: int = Field(le=INT32_MAX)  # the stored column is a 32-bit integer
    taxFen: int = Field(le=INT32_MAX)
    issuedOn: str = Field(max_length=8, pattern=NO_CONTROL_PATTERN)


@router.post("/summaries/invoices", status_code=201)
def add_invoice(
    session: SessionDep, principal: TaxOfficer, now: NowDep, body: InvoiceBody
) -> dict[str, Any]:
    """File a purchase invoice (进货发票) of a seller: its lines go the rebate route."""
    row = treatment.record_invoice(
        session,
        treatment.InvoiceInput(
            body.ebcCode,
            body.invoiceCode,
            body.invoiceNo,
            body.hsCode,
            body.itemName,
            body.amountFen,
            body.taxFen,
            body.issuedOn,
        ),
        actor=f"{principal.role}:{principal.name}",
        now=now,
    )
    return treatment.invoice_view(row)


@router.get("/summaries/invoices")
def list_invoices(
    session: SessionDep,
    principal: PrincipalDep,
    ebc_code: Annotated[str, Query(alias="ebcCode")],
) -> dict[str, Any]:
    scope = views.scope_of(principal)
    rows = [] if scope not in (None, ebc_code) else repository.invoices_of(session, ebc_code)
    return {"invoices": [treatment.invoice_view(r) for r in rows]}


class RebateClassBody(BaseModel):
    ebcCode: str = Field(max_length=18, pattern=NO_CONTROL_PATTERN)
    rebateClass: str = Field(max_length=1, pattern=NO_CONTROL_PATTERN)
    note: str = Field(default="", max_length=200, pattern=NO_CONTROL_PATTERN)


@router.post("/summaries/rebate-classes")
def set_rebate_class(
    session: SessionDep, principal: TaxOfficer, now: NowDep, body: RebateClassBody
) -> dict[str, Any]:
    """Record an enterprise's export-rebate class (1–4)."""
    row = treatment.set_rebate_class(
        session,
        body.ebcCode,
        body.rebateClass,
        body.note,
        actor=f"{principal.role}:{principal.name}",
        now=now,
    )
    return treatment.rebate_class_view(row)


@router.get("/summaries/rebate-classes")
def list_rebate_classes(session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    rows = repository.list_rebate_classes(session, views.scope_of(principal))
    return {"rebateClasses": [treatment.rebate_class_view(r) for r in rows]}


@router.get("/summaries/{sum_no}", response_model=None)
def get_summary(
    session: SessionDep,
    principal: PrincipalDep,
    sum_no: str,
    format: FormatQuery = "json",
    part: Annotated[int, Query(ge=1)] = 1,
    items: bool = False,
) -> dict[str, Any] | Response:
    """The summary with its declarations; `?format=xml` the CEB792 results (`part` for
    summaries of more than 100 declarations)."""
    if format == "xml":
        data = views.summary_792(session, principal, sum_no, part=part)
        return Response(data, media_type="application/xml")
    return views.get_summary(session, principal, sum_no, with_items=items)


_REBATE_READERS = frozenset({AgencyRole.TAX, AgencyRole.ZONE_ADMIN, AgencyRole.CUSTOMS})


@router.get("/summaries/{sum_no}/rebate.csv", response_class=Response)
def rebate_csv(session: SessionDep, principal: PrincipalDep, sum_no: str) -> Response:
    """The rebate/exemption declaration data of a summary, one row per declaration line."""
    if not principal.is_enterprise and principal.role not in _REBATE_READERS:
        raise Forbidden.of(
            "auth.role_forbidden", "当前角色无权执行此操作", "this role may not do this"
        )
    row = views.get_summary_row(session, principal, sum_no)
    return Response(
        treatment.rebate_csv(session, row),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{row.sum_no}-rebate.csv"'},
    )
