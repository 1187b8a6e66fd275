"""HTTP routes of the statistics: dashboard, indicators and their exports, targets, facilities.

Zone administration, statistics, commerce and customs read the whole zone; an enterprise reads
its own figures; other roles are refused (the service decides, in `scope_of`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from singlewindow.auth.dependencies import PrincipalDep, require_role
from singlewindow.auth.domain import AgencyRole, Principal
from singlewindow.db.dependencies import NowDep, SessionDep
from singlewindow.kit.errors import DomainError
from singlewindow.recording.rules import day_of
from singlewindow.statistics import export, service
from singlewindow.statistics.domain import FacilityKind
from singlewindow.statistics.schemas import (
    FacilityImportOut,
    FacilityOut,
    IndicatorOut,
    TargetOut,
    TargetsIn,
)

router = APIRouter(prefix="/statistics", tags=["statistics"])

JSONL_MEDIA_TYPE = "application/x-ndjson"
AdminDep = Annotated[Principal, Depends(require_role(AgencyRole.ZONE_ADMIN))]
GroupBy = Annotated[
    list[str],
    Query(description="day|month|year and dimensions: direction, trade_mode, country, …"),
]


@router.get("/dashboard")
def dashboard(session: SessionDep, principal: PrincipalDep, now: NowDep) -> dict[str, Any]:
    """KPIs of the year to date against the zone plan's targets, 30-day trend, breakdowns."""
    return service.dashboard(session, principal, now=now)


def _period(now: Any, start: date | None, end: date | None) -> tuple[date, date]:
    today = day_of(now)
    return start or date(today.year, 1, 1), end or today


@router.get("/indicators/{name}", response_model=IndicatorOut)
def read_indicator(
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    name: str,
    start: date | None = None,
    end: date | None = None,
    group_by: GroupBy = [],  # noqa: B006 (FastAPI copies query defaults)
) -> IndicatorOut:
    """One indicator over a period of CST days (default: this year to date)."""
    first, last = _period(now, start, end)
    rows = service.indicator(session, principal, name, start=first, end=last, group_by=group_by)
    columns = service.indicator_columns(name, group_by)
    return IndicatorOut(indicator=name, start=first, end=last, columns=columns, rows=rows)


@router.get(
    "/indicators/{name}/export",
    response_class=Response,
    responses={
        200: {
            "content": {
                export.CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
                export.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
def export_indicator(
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    name: str,
    format: Literal["csv", "xlsx"] = "csv",
    start: date | None = None,
    end: date | None = None,
    group_by: GroupBy = [],  # noqa: B006
) -> Response:
    """The indicator's rows as a CSV or XLSX file."""
    first, last = _period(now, start, end)
    rows = service.indicator(session, principal, name, start=first, end=last, group_by=group_by)
    columns = service.indicator_columns(name, group_by)
    filename = f"{name}_{first:%Y%m%d}_{last:%Y%m%d}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format == "xlsx":
        body = export.to_xlsx(columns, rows, title=name)
        return Response(body, media_type=export.XLSX_MEDIA_TYPE, headers=headers)
    text = export.to_csv(columns, rows)
    return Response(text.encode("utf-8"), media_type=export.CSV_MEDIA_TYPE, headers=headers)


@router.get("/targets", response_model=list[TargetOut])
def read_targets(
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[TargetOut]:
    """The targets that apply to a year (default: this year)."""
    service.scope_of(principal)
    chosen = year or day_of(now).year
    return [TargetOut.of(t) for t in service.list_targets(session, chosen)]


@router.put("/targets/{year}", response_model=list[TargetOut])
def write_targets(
    session: SessionDep, admin: AdminDep, now: NowDep, year: int, body: TargetsIn
) -> list[TargetOut]:
    """Set some or all targets of a year (zone administration)."""
    return [
        TargetOut.of(t) for t in service.set_targets(session, admin, year, body.values, now=now)
    ]


async def _jsonl_body(request: Request) -> str:
    raw = await request.body()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DomainError.of(
            "statistics.body_not_utf8", "请求体不是UTF-8文本", "the body is not UTF-8 text"
        ) from error


@router.post(
    "/facilities",
    response_model=FacilityImportOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {JSONL_MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    },
)
def import_facilities(
    session: SessionDep, _admin: AdminDep, body: Annotated[str, Depends(_jsonl_body)]
) -> FacilityImportOut:
    """File parks, bases, public overseas warehouses, key enterprises (JSONL, all or nothing)."""
    return FacilityImportOut(filed=service.import_facilities(session, body.splitlines()))


@router.get("/facilities", response_model=list[FacilityOut])
def read_facilities(
    session: SessionDep, principal: PrincipalDep, kind: FacilityKind | None = None
) -> list[FacilityOut]:
    return [FacilityOut.of(f) for f in service.list_facilities(session, principal, kind)]
