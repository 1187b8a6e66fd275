"""Use cases of the one filing: import JSONL (all or nothing) and the reads others batch."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy.orm import Session

from singlewindow.audit import service as audit
from singlewindow.audit.domain import Action
from singlewindow.kit.clock import system_clock
from singlewindow.kit.errors import DomainError, NotFound, Problem
from singlewindow.registry import repository, rules
from singlewindow.registry.domain import (
    Commodity,
    Enterprise,
    EnterpriseFiling,
    IdType,
    ImportReport,
    Person,
    Role,
)


def import_records(
    session: Session, lines: Iterable[str], *, actor: str = "operator"
) -> ImportReport:
    """File every record of a JSONL text; re-filing a key updates it.

    All or nothing: any bad line raises `DomainError` with one problem per bad line (its first
    broken rule) and nothing is written. Blank lines are skipped; lines count from 1.
    """
    problems: list[Problem] = []
    # Keyed so that a key repeated in one file files its last line.
    enterprises: dict[str, EnterpriseFiling] = {}
    commodities: dict[tuple[str, str], tuple[int, Commodity]] = {}
    persons: dict[tuple[str, str], Person] = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        parsed = rules.parse_import_line(text, number)
        if isinstance(parsed, Problem):
            problems.append(parsed)
        elif isinstance(parsed, EnterpriseFiling):
            enterprises[parsed.enterprise.code] = parsed
        elif isinstance(parsed, Commodity):
            commodities[(parsed.ebc_code, parsed.item_no)] = (number, parsed)
        else:
            persons[(parsed.id_type.value, parsed.id_number)] = parsed

    roles_of = {code: [r.value for r in f.enterprise.roles] for code, f in enterprises.items()}
    unseen = {c.ebc_code for _, c in commodities.values()} - set(roles_of)
    filed = repository.existing_enterprise_codes(session, unseen) if unseen else {}
    for number, commodity in commodities.values():
        roles = roles_of.get(commodity.ebc_code, filed.get(commodity.ebc_code))
        if roles is None:
            problems.append(rules.problem("registry.ebc_not_filed", path="ebc_code", line=number))
        elif Role.EBC.value not in roles:
            problems.append(
                rules.problem("registry.ebc_role_missing", path="ebc_code", line=number)
            )
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise DomainError(problems)

    repository.save_enterprises(session, list(enterprises.values()))
    repository.save_commodities(session, [c for _, c in commodities.values()])
    repository.save_persons(session, list(persons.values()))
    session.flush()
    report = ImportReport(
        enterprises=len(enterprises),
        commodities=len(commodities),
        persons=len(persons),
        certificates=sum(len(f.certificates) for f in enterprises.values()),
    )
    audit.record(
        session,
        actor=actor,
        action=Action.REGISTRY_IMPORT,
        subject="registry",
        details={
            "enterprises": sorted(enterprises),
            "commodities": report.commodities,
            "persons": report.persons,
            "certificates": report.certificates,
        },
        at=system_clock(),
    )
    return report


def find_enterprise(session: Session, code: str) -> Enterprise | None:
    return repository.enterprises_by_code(session, [code]).get(code)


def get_enterprise(session: Session, code: str) -> Enterprise:
    enterprise = find_enterprise(session, code)
    if enterprise is None:
        raise NotFound.of(
            "registry.enterprise_not_found",
            "企业未备案",
            "no enterprise is filed under this code",
            path="code",
        )
    return enterprise


def get_enterprises(session: Session, codes: Collection[str]) -> dict[str, Enterprise]:
    """The filed enterprises among `codes`, in one query (up to 500 codes)."""
    return repository.enterprises_by_code(session, codes)


def enterprise_has_certificate(session: Session, code: str, fingerprint: str) -> bool:
    return repository.has_certificate(session, code, fingerprint)


def find_commodities(
    session: Session, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], Commodity]:
    """Filed commodities by (ebc_code, item_no), in one query (up to 500 keys)."""
    return repository.commodities_by_key(session, keys)


def find_person(session: Session, id_type: IdType, id_number: str) -> Person | None:
    return repository.find_person(session, id_type, rules.normalize_id_number(id_number))


def list_enterprises(
    session: Session, *, only_code: str | None = None, limit: int = 100, offset: int = 0
) -> list[Enterprise]:
    return repository.list_enterprises(session, only_code=only_code, limit=limit, offset=offset)


def list_commodities(
    session: Session, *, ebc_code: str | None = None, limit: int = 100, offset: int = 0
) -> list[Commodity]:
    return repository.list_commodities(session, ebc_code=ebc_code, limit=limit, offset=offset)


def list_persons(session: Session, *, limit: int = 100, offset: int = 0) -> list[Person]:
    return repository.list_persons(session, limit=limit, offset=offset)
