"""Tax bills (CEB816) per inventory and the yearly quota used per buyer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from singlewindow.db.base import Base
from singlewindow.db.types import UtcDateTime
from singlewindow.declaration.tables import InventoryRow


class TaxBillRow(Base):
    """The platform's tax bill for one inventory; status 1 generated, 3 voided (SPEC §3.1)."""

    __tablename__ = "tax_bills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id"), unique=True)
    invt_no: Mapped[str] = mapped_column(String(20), index=True)
    buyer_id_number: Mapped[str] = mapped_column(String(60), index=True)
    year: Mapped[int] = mapped_column(Integer)
    dutiable_value_fen: Mapped[int] = mapped_column(Integer)
    tariff_fen: Mapped[int] = mapped_column(Integer)
    vat_fen: Mapped[int] = mapped_column(Integer)
    consumption_tax_fen: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(Integer)
    preferential: Mapped[bool] = mapped_column(Boolean)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(1))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    void_reason: Mapped[str] = mapped_column(String(60), default="")
    # Declared so the session writes the inventory before its bill; never loaded.
    inventory: Mapped[InventoryRow] = relationship(lazy="raise")


class QuotaUsageRow(Base):
    """Yearly cross-border retail quota used by one buyer (fen), by the year of the passing."""

    __tablename__ = "quota_usage"

    buyer_id_number: Mapped[str] = mapped_column(String(60), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    used_fen: Mapped[int] = mapped_column(Integer)


class TaxRateRow(Base):
    """The rate table in force, by 10-digit HS code; loaded from the packaged defaults by
    `db upgrade` and replaceable by the zone (`singlewindow tax rates import`)."""

    __tablename__ = "tax_rates"

    hs_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    vat_rate: Mapped[str] = mapped_column(String(12))
    ct_rate: Mapped[str] = mapped_column(String(12))
    ct_rule: Mapped[str] = mapped_column(String(30))
    mfn_rate: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(300))
    confirmed: Mapped[bool] = mapped_column(Boolean)
