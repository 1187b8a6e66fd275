"""The zone plan's targets per year and the facilities filed for R11."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from singlewindow.db.base import Base
from singlewindow.db.types import UtcDateTime


class TargetRow(Base):
    """A yearly target set by the zone administrator (the seed's apply where none is stored)."""

    __tablename__ = "stat_targets"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(100))


class FacilityRow(Base):
    __tablename__ = "stat_facilities"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    name: Mapped[str] = mapped_column(String(200))
    filed_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    county: Mapped[str] = mapped_column(String(100), default="")
    park: Mapped[str] = mapped_column(String(100), default="")
    enterprise_code: Mapped[str] = mapped_column(String(18), default="")
    country: Mapped[str] = mapped_column(String(3), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
