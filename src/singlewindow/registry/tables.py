"""Filed enterprises (with their certificates), commodities and persons."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from singlewindow.db.base import Base


class EnterpriseRow(Base):
    __tablename__ = "enterprises"

    code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(JSON)
    credit_class: Mapped[str] = mapped_column(String(24))
    county: Mapped[str | None] = mapped_column(String(100))
    park: Mapped[str | None] = mapped_column(String(100))


class CertificateRow(Base):
    """A signing certificate filed by an enterprise, keyed by the SHA-256 of its DER."""

    __tablename__ = "enterprise_certificates"

    enterprise_code: Mapped[str] = mapped_column(
        ForeignKey("enterprises.code", ondelete="CASCADE"), primary_key=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    pem: Mapped[str] = mapped_column(Text)


class CommodityRow(Base):
    __tablename__ = "commodities"

    ebc_code: Mapped[str] = mapped_column(ForeignKey("enterprises.code"), primary_key=True)
    item_no: Mapped[str] = mapped_column(String(30), primary_key=True)
    hs_code: Mapped[str] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(250))
    origin_country: Mapped[str | None] = mapped_column(String(3))
    producer: Mapped[str | None] = mapped_column(String(100))


class PersonRow(Base):
    __tablename__ = "persons"

    id_type: Mapped[str] = mapped_column(String(1), primary_key=True)
    id_number: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
