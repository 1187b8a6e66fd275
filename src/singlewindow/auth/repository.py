"""Statements over users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from singlewindow.auth.tables import UserRow

# auth sits below registry in the layers, so it names the enterprises table instead of
# importing its mapped class; the foreign key on users keeps the two consistent.
_enterprises = table("enterprises", column("code"))


def is_filed_enterprise(session: Session, code: str) -> bool:
    query = select(_enterprises.c.code).where(_enterprises.c.code == code)
    return session.execute(query).first() is not None


def insert_user(
    session: Session,
    *,
    name: str,
    role: str,
    enterprise_code: str | None,
    key_hash: str,
    created_at: datetime,
) -> UserRow:
    row = UserRow(
        name=name,
        role=role,
        enterprise_code=enterprise_code,
        key_hash=key_hash,
        created_at=created_at,
    )
    session.add(row)
    session.flush()
    return row


def find_by_key_hash(session: Session, key_hash: str) -> UserRow | None:
    return session.scalars(select(UserRow).where(UserRow.key_hash == key_hash)).first()
