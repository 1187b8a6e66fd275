"""Reads of the roll-ups (zone marginals or the fine cube, whichever answers a question with
fewer rows), and the targets and facilities tables."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.orm import Session

from singlewindow.recording.domain import BROAD_BUCKETS, NARROW_DIMENSIONS, ZONE_DIMENSIONS
from singlewindow.recording.tables import DailyRow, LatencyRow, RefusalRow, ZoneDailyRow
from singlewindow.registry.tables import EnterpriseRow
from singlewindow.statistics.domain import Facility, FacilityKind
from singlewindow.statistics.tables import FacilityRow, TargetRow

# Columns a caller may group the event roll-ups by (besides "day").
CUBE_DIMENSIONS = ("bucket", "direction", "trade_mode", "country", "hs_chapter", "county", "park")
CUBE_GROUPS = frozenset({"day", "ebc_code", *CUBE_DIMENSIONS})
_ALWAYS_IN_ZONE = frozenset({"day", "bucket", "direction"})

Measures = tuple[int, int, int]  # parcels, value_fen, tax_fen


def _zone_dimension(buckets: Collection[str], group: Sequence[str]) -> str | None:
    """The zone marginal that answers a zone-wide question, or None if only the cube can."""
    others = [g for g in group if g not in _ALWAYS_IN_ZONE]
    if len(others) > 1:
        return None
    if not others:
        return "total"
    dim = others[0]
    if dim in NARROW_DIMENSIONS or (dim in ZONE_DIMENSIONS and set(buckets) <= BROAD_BUCKETS):
        return dim
    return None


def sum_events(
    session: Session,
    *,
    ebc_code: str | None,
    start: date,
    end: date,
    buckets: Collection[str],
    group: Sequence[str],
) -> list[tuple[tuple[Any, ...], Measures]]:
    """Σ parcels, value and tax of the given event buckets over [start, end], grouped."""
    dim = _zone_dimension(buckets, group) if ebc_code is None else None
    keys: list[Any]
    if dim is not None:
        z = ZoneDailyRow
        keys = [z.key if g not in _ALWAYS_IN_ZONE else getattr(z, g) for g in group]
        stmt: Select[*tuple[Any, ...]] = select(
            *keys, func.sum(z.parcels), func.sum(z.value_fen), func.sum(z.tax_fen)
        ).where(z.dim == dim, z.bucket.in_(list(buckets)), z.day.between(start, end))
    else:
        d = DailyRow
        keys = [getattr(d, g) for g in group]
        stmt = select(*keys, func.sum(d.parcels), func.sum(d.value_fen), func.sum(d.tax_fen))
        stmt = stmt.where(d.bucket.in_(list(buckets)), d.day.between(start, end))
        if ebc_code is not None:
            stmt = stmt.where(d.ebc_code == ebc_code)
    if keys:
        stmt = stmt.group_by(*keys)
    out: list[tuple[tuple[Any, ...], Measures]] = []
    for row in session.execute(stmt):
        *key, parcels, value, tax = row
        out.append((tuple(key), (int(parcels or 0), int(value or 0), int(tax or 0))))
    return out


def count_sellers(
    session: Session,
    *,
    ebc_code: str | None,
    start: date,
    end: date,
    bucket: str,
    group: Sequence[str],
) -> list[tuple[tuple[Any, ...], int]]:
    """Distinct sellers with at least one event of the bucket in [start, end], grouped."""
    keys: list[Any]
    if ebc_code is None and set(group) <= {"day", "direction"} and bucket in BROAD_BUCKETS:
        z = ZoneDailyRow
        keys = [getattr(z, g) for g in group]
        stmt: Select[*tuple[Any, ...]] = select(*keys, func.count(distinct(z.key))).where(
            z.dim == "ebc_code", z.bucket == bucket, z.day.between(start, end)
        )
    else:
        d = DailyRow
        keys = [getattr(d, g) for g in group]
        stmt = select(*keys, func.count(distinct(d.ebc_code))).where(
            d.bucket == bucket, d.day.between(start, end)
        )
        if ebc_code is not None:
            stmt = stmt.where(d.ebc_code == ebc_code)
    if keys:
        stmt = stmt.group_by(*keys)
    return [(tuple(row[:-1]), int(row[-1])) for row in session.execute(stmt)]


def latency_histogram(
    session: Session, *, scope: str, start: date, end: date, group: Sequence[str]
) -> list[tuple[tuple[Any, ...], int, int, int]]:
    """(group key, upper edge, samples, Σ seconds) of releases in [start, end]."""
    t = LatencyRow
    keys: list[ColumnElement[Any]] = [getattr(t, g) for g in group]
    stmt = (
        select(*keys, t.le_seconds, func.sum(t.samples), func.sum(t.seconds_total))
        .where(t.scope == scope, t.day.between(start, end))
        .group_by(*keys, t.le_seconds)
    )
    return [
        (tuple(row[: len(keys)]), int(row[-3]), int(row[-2]), int(row[-1]))
        for row in session.execute(stmt)
    ]


def refusal_counts(
    session: Session, *, scope: str, start: date, end: date, group: Sequence[str]
) -> list[tuple[tuple[Any, ...], int]]:
    t = RefusalRow
    keys: list[ColumnElement[Any]] = [getattr(t, g) for g in group]
    stmt = select(*keys, func.sum(t.refusals)).where(t.scope == scope, t.day.between(start, end))
    if keys:
        stmt = stmt.group_by(*keys)
    return [(tuple(row[:-1]), int(row[-1])) for row in session.execute(stmt)]


def filed_sellers(session: Session, ebc_code: str | None) -> list[tuple[str, str, str]]:
    """(code, county, park) of filed enterprises holding the e-commerce seller role (ebc)."""
    stmt = select(EnterpriseRow.code, EnterpriseRow.roles, EnterpriseRow.county, EnterpriseRow.park)
    if ebc_code is not None:
        stmt = stmt.where(EnterpriseRow.code == ebc_code)
    return [
        (code, county or "", park or "")
        for code, roles, county, park in session.execute(stmt)
        if "ebc" in (roles or [])
    ]


# --- targets and facilities ------------------------------------------------------------------


def stored_targets(session: Session, up_to_year: int) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {}
    for row in session.scalars(select(TargetRow).where(TargetRow.year <= up_to_year)):
        found.setdefault(row.year, {})[row.indicator] = row.value
    return found


def save_targets(
    session: Session, year: int, values: Mapping[str, int], *, at: datetime, by: str
) -> None:
    for indicator, value in values.items():
        session.merge(
            TargetRow(year=year, indicator=indicator, value=value, updated_at=at, updated_by=by)
        )
    session.flush()


def _facility(row: FacilityRow) -> Facility:
    return Facility(
        code=row.code,
        kind=FacilityKind(row.kind),
        name=row.name,
        filed_on=row.filed_on,
        closed_on=row.closed_on,
        county=row.county,
        park=row.park,
        enterprise_code=row.enterprise_code,
        country=row.country,
        industry=row.industry,
    )


def save_facilities(session: Session, facilities: Iterable[Facility]) -> None:
    for f in facilities:
        session.merge(
            FacilityRow(
                code=f.code,
                kind=f.kind.value,
                name=f.name,
                filed_on=f.filed_on,
                closed_on=f.closed_on,
                county=f.county,
                park=f.park,
                enterprise_code=f.enterprise_code,
                country=f.country,
                industry=f.industry,
            )
        )
    session.flush()


def list_facilities(session: Session, kind: FacilityKind | None = None) -> list[Facility]:
    stmt = select(FacilityRow).order_by(FacilityRow.kind, FacilityRow.code)
    if kind is not None:
        stmt = stmt.where(FacilityRow.kind == kind.value)
    return [_facility(row) for row in session.scalars(stmt)]
