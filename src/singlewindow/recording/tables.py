"""Daily roll-ups of inventory moves, kept by `record_transition` in the clearance transaction.

Days are CST calendar days. On SQLite the tables are WITHOUT ROWID, so
rows are stored in key order and a range of days is read without lookups. Measures only ever grow
by upsert (`ON CONFLICT … DO UPDATE SET
n = n + excluded.n`), so the tables can be rebuilt from the transition history at any time.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from singlewindow.db.base import Base


class DailyRow(Base):
    """The fine cube: one row per day, seller and combination of dimensions, per event bucket.
    Keyed by seller first, because an enterprise reads only its own rows."""

    __tablename__ = "rec_daily"
    __table_args__ = (
        Index("ix_rec_daily_day_bucket", "day", "bucket"),
        {"sqlite_with_rowid": False},
    )

    ebc_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(16), primary_key=True)
    direction: Mapped[str] = mapped_column(String(1), primary_key=True)
    trade_mode: Mapped[str] = mapped_column(String(4), primary_key=True)
    country: Mapped[str] = mapped_column(String(3), primary_key=True)
    hs_chapter: Mapped[str] = mapped_column(String(2), primary_key=True)
    county: Mapped[str] = mapped_column(String(100), primary_key=True)
    park: Mapped[str] = mapped_column(String(100), primary_key=True)
    parcels: Mapped[int] = mapped_column(BigInteger)
    value_fen: Mapped[int] = mapped_column(BigInteger)
    tax_fen: Mapped[int] = mapped_column(BigInteger)


class ZoneDailyRow(Base):
    """Zone-wide marginals: per day, one dimension at a time (`total` has key ''), striped."""

    __tablename__ = "rec_zone_daily"
    __table_args__ = ({"sqlite_with_rowid": False},)

    dim: Mapped[str] = mapped_column(String(12), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    direction: Mapped[str] = mapped_column(String(1), primary_key=True)
    stripe: Mapped[int] = mapped_column(Integer, primary_key=True)
    parcels: Mapped[int] = mapped_column(BigInteger)
    value_fen: Mapped[int] = mapped_column(BigInteger)
    tax_fen: Mapped[int] = mapped_column(BigInteger)


class LatencyRow(Base):
    """Declaration → release latency histogram; scope '' is the zone, else the seller's code."""

    __tablename__ = "rec_latency_daily"
    __table_args__ = ({"sqlite_with_rowid": False},)

    scope: Mapped[str] = mapped_column(String(18), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    direction: Mapped[str] = mapped_column(String(1), primary_key=True)
    trade_mode: Mapped[str] = mapped_column(String(4), primary_key=True)
    le_seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    stripe: Mapped[int] = mapped_column(Integer, primary_key=True)
    samples: Mapped[int] = mapped_column(BigInteger)
    seconds_total: Mapped[int] = mapped_column(BigInteger)


class RefusalRow(Base):
    """Refusals per reason code and day; scope '' is the zone, else the seller's code."""

    __tablename__ = "rec_refusals_daily"
    __table_args__ = ({"sqlite_with_rowid": False},)

    scope: Mapped[str] = mapped_column(String(18), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    direction: Mapped[str] = mapped_column(String(1), primary_key=True)
    reason: Mapped[str] = mapped_column(String(100), primary_key=True)
    stripe: Mapped[int] = mapped_column(Integer, primary_key=True)
    refusals: Mapped[int] = mapped_column(BigInteger)
