"""Statements over the registry tables. Upserts use the dialect's ON CONFLICT (SQLite, PG)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Row, Select, delete, insert, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from singlewindow.db.keys import chunked, one_of
from singlewindow.registry.domain import (
    Commodity,
    CreditClass,
    Enterprise,
    EnterpriseFiling,
    IdType,
    Person,
    Role,
)
from singlewindow.registry.tables import CertificateRow, CommodityRow, EnterpriseRow, PersonRow

# Bound parameters per statement stay well under SQLite's and PG's limits.
_CHUNK = 500


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _upsert(
    session: Session, row_type: Any, rows: Sequence[Mapping[str, Any]], keys: list[str]
) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for chunk in _chunks(rows):
        stmt = upsert(row_type).values(list(chunk))
        updates = {c: stmt.excluded[c] for c in chunk[0] if c not in keys}
        session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=updates))


def _enterprise_query() -> Select[EnterpriseRow, str]:
    # populate_existing: an import in the same session upserts through Core, behind the ORM.
    return (
        select(EnterpriseRow, CertificateRow.fingerprint)
        .outerjoin(CertificateRow, CertificateRow.enterprise_code == EnterpriseRow.code)
        .execution_options(populate_existing=True)
    )


def _fold(rows: Iterable[Row[EnterpriseRow, str]]) -> dict[str, Enterprise]:
    """Rows of enterprise × certificate fingerprint → one Enterprise per code, in row order."""
    heads: dict[str, EnterpriseRow] = {}
    prints: dict[str, set[str]] = {}
    for head, fingerprint in rows:
        heads.setdefault(head.code, head)
        found = prints.setdefault(head.code, set())
        if fingerprint is not None:
            found.add(fingerprint)
    return {
        code: Enterprise(
            code=row.code,
            name=row.name,
            roles=frozenset(Role(r) for r in row.roles),
            credit_class=CreditClass(row.credit_class),
            county=row.county,
            park=row.park,
            certificate_fingerprints=frozenset(prints[code]),
        )
        for code, row in heads.items()
    }


def enterprises_by_code(session: Session, codes: Collection[str]) -> dict[str, Enterprise]:
    found: dict[str, Enterprise] = {}
    dialect = session.get_bind().dialect.name
    for chunk in chunked(codes):
        query = _enterprise_query().where(one_of(dialect, EnterpriseRow.code, chunk))
        found.update(_fold(session.execute(query)))
    return found


def list_enterprises(
    session: Session, *, only_code: str | None, limit: int, offset: int
) -> list[Enterprise]:
    page = select(EnterpriseRow.code).order_by(EnterpriseRow.code).limit(limit).offset(offset)
    if only_code is not None:
        page = page.where(EnterpriseRow.code == only_code)
    query = _enterprise_query().where(EnterpriseRow.code.in_(page.scalar_subquery()))
    return list(_fold(session.execute(query.order_by(EnterpriseRow.code))).values())


def existing_enterprise_codes(session: Session, codes: Collection[str]) -> dict[str, list[str]]:
    """Codes among `codes` that are filed, with their roles."""
    found: dict[str, list[str]] = {}
    for chunk in chunked(codes):
        query = select(EnterpriseRow.code, EnterpriseRow.roles).where(EnterpriseRow.code.in_(chunk))
        found.update({code: list(roles) for code, roles in session.execute(query)})
    return found


def has_certificate(session: Session, code: str, fingerprint: str) -> bool:
    query = select(CertificateRow.fingerprint).where(
        CertificateRow.enterprise_code == code, CertificateRow.fingerprint == fingerprint
    )
    return session.execute(query).first() is not None


def save_enterprises(session: Session, filings: Sequence[EnterpriseFiling]) -> None:
    """Upsert enterprises; each filing's certificates replace the ones filed before."""
    _upsert(
        session,
        EnterpriseRow,
        [
            {
                "code": f.enterprise.code,
                "name": f.enterprise.name,
                "roles": sorted(r.value for r in f.enterprise.roles),
                "credit_class": f.enterprise.credit_class.value,
                "county": f.enterprise.county,
                "park": f.enterprise.park,
            }
            for f in filings
        ],
        ["code"],
    )
    codes = [f.enterprise.code for f in filings]
    for chunk in _chunks(codes):
        session.execute(delete(CertificateRow).where(CertificateRow.enterprise_code.in_(chunk)))
    certs = [
        {"enterprise_code": f.enterprise.code, "fingerprint": c.fingerprint, "pem": c.pem}
        for f in filings
        for c in f.certificates
    ]
    if certs:
        session.execute(insert(CertificateRow), certs)


def save_commodities(session: Session, commodities: Sequence[Commodity]) -> None:
    _upsert(
        session,
        CommodityRow,
        [
            {
                "ebc_code": c.ebc_code,
                "item_no": c.item_no,
                "hs_code": c.hs_code,
                "name": c.name,
                "origin_country": c.origin_country,
                "producer": c.producer,
            }
            for c in commodities
        ],
        ["ebc_code", "item_no"],
    )


def save_persons(session: Session, persons: Sequence[Person]) -> None:
    _upsert(
        session,
        PersonRow,
        [{"id_type": p.id_type.value, "id_number": p.id_number, "name": p.name} for p in persons],
        ["id_type", "id_number"],
    )


def _commodity(row: CommodityRow) -> Commodity:
    return Commodity(
        row.ebc_code, row.item_no, row.hs_code, row.name, row.origin_country, row.producer
    )


def commodities_by_key(
    session: Session, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], Commodity]:
    found: dict[tuple[str, str], Commodity] = {}
    for chunk in chunked(keys):
        query = select(CommodityRow).where(
            tuple_(CommodityRow.ebc_code, CommodityRow.item_no).in_(chunk)
        )
        for row in session.scalars(query.execution_options(populate_existing=True)):
            found[(row.ebc_code, row.item_no)] = _commodity(row)
    return found


def list_commodities(
    session: Session, *, ebc_code: str | None, limit: int, offset: int
) -> list[Commodity]:
    query = select(CommodityRow).order_by(CommodityRow.ebc_code, CommodityRow.item_no)
    if ebc_code is not None:
        query = query.where(CommodityRow.ebc_code == ebc_code)
    return [_commodity(r) for r in session.scalars(query.limit(limit).offset(offset))]


def find_person(session: Session, id_type: IdType, id_number: str) -> Person | None:
    row = session.get(PersonRow, (id_type.value, id_number), populate_existing=True)
    return None if row is None else Person(IdType(row.id_type), row.id_number, row.name)


def list_persons(session: Session, *, limit: int, offset: int) -> list[Person]:
    query = select(PersonRow).order_by(PersonRow.id_type, PersonRow.id_number)
    return [
        Person(IdType(r.id_type), r.id_number, r.name)
        for r in session.scalars(query.limit(limit).offset(offset))
    ]
