"""Summary applications (CEB701), their declarations and lines (CEB792), the inventories each
took, purchase invoices on file and enterprise rebate classes (export tax treatment).

Amounts as written in documents stay exact decimal text (N19,5); amounts the platform decides on
are integer fen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from singlewindow.db.base import Base
from singlewindow.db.types import UtcDateTime


class SummaryRow(Base):
    """One summary application (汇总申请单) and its outcome."""

    __tablename__ = "summaries"
    __table_args__ = (Index("ix_summaries_ebc_month", "ebc_code", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sum_no: Mapped[str] = mapped_column(String(18), unique=True)
    pre_no: Mapped[str] = mapped_column(String(18), unique=True)
    guid: Mapped[str] = mapped_column(String(36))
    message_guid: Mapped[str] = mapped_column(String(36), default="")
    cop_no: Mapped[str] = mapped_column(String(30))
    customs_code: Mapped[str] = mapped_column(String(4))
    agent_code: Mapped[str] = mapped_column(String(18))
    agent_name: Mapped[str] = mapped_column(String(100))
    ebc_code: Mapped[str] = mapped_column(String(18))
    ebc_name: Mapped[str] = mapped_column(String(100))
    decl_agent_code: Mapped[str] = mapped_column(String(18))
    decl_agent_name: Mapped[str] = mapped_column(String(100))
    month: Mapped[str] = mapped_column(String(7))
    window_start: Mapped[datetime | None] = mapped_column(UtcDateTime())
    window_end: Mapped[datetime | None] = mapped_column(UtcDateTime())
    requested: Mapped[list[str]] = mapped_column(JSON)
    summary_flag: Mapped[str] = mapped_column(String(1))
    item_name_flag: Mapped[str] = mapped_column(String(1), default="")
    status: Mapped[str] = mapped_column(String(10))
    excluded: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    requested_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    summarised_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SummaryDeclarationRow(Base):
    """One export declaration (报关单) a summary formed: one group of head keys."""

    __tablename__ = "summary_declarations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summaries.id"), index=True)
    decl_seq_no: Mapped[str] = mapped_column(String(18), unique=True)
    guid: Mapped[str] = mapped_column(String(36))
    ebc_code: Mapped[str] = mapped_column(String(18))
    traf_mode: Mapped[str] = mapped_column(String(1))
    owner_code: Mapped[str] = mapped_column(String(18), default="")
    country: Mapped[str] = mapped_column(String(3))
    port_code: Mapped[str] = mapped_column(String(4))
    gross_weight: Mapped[str] = mapped_column(String(24))
    net_weight: Mapped[str] = mapped_column(String(24))
    inventory_count: Mapped[int] = mapped_column(Integer)
    dec_state: Mapped[str] = mapped_column(String(3))
    op_date: Mapped[datetime] = mapped_column(UtcDateTime())


class SummaryLineRow(Base):
    """One line (表体商品项) of a summary declaration: one group of line keys, summed."""

    __tablename__ = "summary_lines"
    __table_args__ = (
        UniqueConstraint("declaration_id", "gseqno", name="uq_summary_lines_decl_gseqno"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("summary_declarations.id"))
    gseqno: Mapped[int] = mapped_column(Integer)
    country: Mapped[str] = mapped_column(String(3))
    gcode: Mapped[str] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3))
    item_name: Mapped[str] = mapped_column(String(250), default="")
    gname: Mapped[str] = mapped_column(String(250))
    unit: Mapped[str] = mapped_column(String(3))
    unit1: Mapped[str] = mapped_column(String(3))
    qty: Mapped[str] = mapped_column(String(24))
    qty1: Mapped[str] = mapped_column(String(24))
    total_price: Mapped[str] = mapped_column(String(24))
    gross_weight: Mapped[str] = mapped_column(String(24))
    net_weight: Mapped[str] = mapped_column(String(24))
    item_count: Mapped[int] = mapped_column(Integer)


class SummaryItemRow(Base):
    """An inventory taken into a summary. `inventory_id` is unique: inserting this row is the
    compare-and-set that lets an inventory join at most one summary."""

    __tablename__ = "summary_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summaries.id"), index=True)
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id"), unique=True)
    invt_no: Mapped[str] = mapped_column(String(20))
    declaration_id: Mapped[int | None] = mapped_column(
        ForeignKey("summary_declarations.id"), index=True
    )
    logistics_no: Mapped[str] = mapped_column(String(60), default="")
    # [[gnum, gcode, gseqno], ...] — the CEB792 body rows of this inventory.
    goods: Mapped[list[list[Any]]] = mapped_column(JSON)


class PurchaseInvoiceRow(Base):
    """A purchase VAT invoice (进货增值税专用发票) on file for a seller's goods; with one the
    line's export goes the rebate route (有票退税)."""

    __tablename__ = "purchase_invoices"
    __table_args__ = (
        UniqueConstraint("ebc_code", "invoice_code", "invoice_no", name="uq_purchase_invoices_no"),
        Index("ix_purchase_invoices_ebc_hs", "ebc_code", "hs_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ebc_code: Mapped[str] = mapped_column(String(18))
    invoice_code: Mapped[str] = mapped_column(String(20))
    invoice_no: Mapped[str] = mapped_column(String(20))
    hs_code: Mapped[str] = mapped_column(String(10), default="")
    item_name: Mapped[str] = mapped_column(String(250), default="")
    amount_fen: Mapped[int] = mapped_column(Integer)
    tax_fen: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[str] = mapped_column(String(8))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RebateClassRow(Base):
    """An enterprise's export-rebate management class (出口退税企业分类管理, 1–4)."""

    __tablename__ = "rebate_classes"

    ebc_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    rebate_class: Mapped[str] = mapped_column(String(1))
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
