"""Users of the platform: one API key each, stored only as its SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from singlewindow.db.base import Base
from singlewindow.db.types import UtcDateTime


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(24))
    # A string reference, not an import: auth sits below registry in the layers.
    enterprise_code: Mapped[str | None] = mapped_column(ForeignKey("enterprises.code"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
