"""Stored messages, their business records, inventories with their status history, receipts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from singlewindow.db.base import Base
from singlewindow.db.types import UtcDateTime


class MessageRow(Base):
    """A message as received: the raw bytes are archived untouched as evidence."""

    __tablename__ = "messages"

    guid: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    message_type: Mapped[str] = mapped_column(String(8))
    cop_code: Mapped[str] = mapped_column(String(18), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    record_count: Mapped[int] = mapped_column(Integer)
    raw: Mapped[bytes] = mapped_column(LargeBinary)


class DocumentRow(Base):
    """One business record of a declaration (order, payment, waybill, inventory …)."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("message_type", "doc_key", name="uq_documents_type_key"),
        Index("ix_documents_order_key", "order_key"),
        Index("ix_documents_logistics_key", "logistics_key"),
        # Cancels and returns are found by invtNo, other kinds by their own key, whatever the
        # type: the unique index above leads with message_type and cannot serve that.
        Index("ix_documents_doc_key", "doc_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_guid: Mapped[str] = mapped_column(ForeignKey("messages.guid"))
    record_guid: Mapped[str] = mapped_column(String(36))
    message_type: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(1))
    doc_key: Mapped[str] = mapped_column(String(200))
    order_key: Mapped[str] = mapped_column(String(100), default="")
    logistics_key: Mapped[str] = mapped_column(String(100), default="")
    cop_code: Mapped[str] = mapped_column(String(18))
    parties: Mapped[str] = mapped_column(String(200), default="")
    app_status: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Declared so the session writes parents before children within one flush; never loaded.
    message: Mapped[MessageRow] = relationship(lazy="raise")


class InventoryRow(Base):
    """An inventory list (申报清单) and where it stands in the status machine."""

    __tablename__ = "inventories"
    __table_args__ = (
        Index("ix_inventories_status_first", "status", "first_doc_at"),
        Index("ix_inventories_order_key", "order_key"),
        Index("ix_inventories_logistics_key", "logistics_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    invt_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    direction: Mapped[str] = mapped_column(String(1))
    order_key: Mapped[str] = mapped_column(String(100))
    logistics_key: Mapped[str] = mapped_column(String(100))
    order_no: Mapped[str] = mapped_column(String(60))
    ebp_code: Mapped[str] = mapped_column(String(18))
    ebc_code: Mapped[str] = mapped_column(String(18), index=True)
    agent_code: Mapped[str] = mapped_column(String(18))
    logistics_code: Mapped[str] = mapped_column(String(18))
    logistics_no: Mapped[str] = mapped_column(String(60))
    buyer_id_number: Mapped[str] = mapped_column(String(60), default="")
    trade_mode: Mapped[str] = mapped_column(String(4))
    statistics_flag: Mapped[str] = mapped_column(String(1), default="")
    status: Mapped[str] = mapped_column(String(10))
    first_doc_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    document: Mapped[DocumentRow] = relationship(lazy="raise")


class TransitionRow(Base):
    """One status change of an inventory: when, by whom, why, on which facts."""

    __tablename__ = "inventory_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    from_status: Mapped[str] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(100))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    inventory: Mapped[InventoryRow] = relationship(lazy="raise")


class ReceiptRow(Base):
    """A receipt (回执) for one business record, in the form the standard renders."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_guid: Mapped[str] = mapped_column(String(36), index=True)
    record_guid: Mapped[str] = mapped_column(String(36))
    message_type: Mapped[str] = mapped_column(String(8))
    receipt_type: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(18), index=True)
    inventory_id: Mapped[int | None] = mapped_column(ForeignKey("inventories.id"), index=True)
    initial: Mapped[bool] = mapped_column(Boolean, default=True)
    return_status: Mapped[str] = mapped_column(String(10))
    return_info: Mapped[str] = mapped_column(Text)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    keys: Mapped[dict[str, str]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    inventory: Mapped[InventoryRow | None] = relationship(lazy="raise")


class SerialRow(Base):
    """Counters for numbers the platform assigns (on SQLite; PostgreSQL uses a sequence)."""

    __tablename__ = "serials"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer)
