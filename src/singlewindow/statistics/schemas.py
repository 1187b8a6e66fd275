"""Request and response models of the statistics routes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field

from singlewindow.statistics.domain import Facility, Target


class IndicatorOut(BaseModel):
    indicator: str
    start: date
    end: date
    columns: list[str]
    rows: list[dict[str, Any]]


class TargetOut(BaseModel):
    indicator: str
    value: int
    source_year: int = Field(description="The year whose row applies (or the seed's year)")

    @classmethod
    def of(cls, target: Target) -> TargetOut:
        return cls(
            indicator=target.indicator.value, value=target.value, source_year=target.source_year
        )


class TargetsIn(BaseModel):
    values: dict[str, Annotated[int, Field(le=2**63 - 1)]] = Field(
        description="indicator → target (counts, or fen for values; a 64-bit integer)"
    )


class FacilityOut(BaseModel):
    code: str
    kind: str
    name: str
    filed_on: date
    closed_on: date | None
    county: str
    park: str
    enterprise_code: str
    country: str
    industry: str

    @classmethod
    def of(cls, f: Facility) -> FacilityOut:
        return cls(
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


class FacilityImportOut(BaseModel):
    filed: int
