from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from singlewindow.db.session import unit_of_work
from singlewindow.demo.zone import zone_registry_lines
from singlewindow.kit.errors import DomainError
from singlewindow.registry import service
from singlewindow.registry.domain import (
    Commodity,
    CreditClass,
    Enterprise,
    IdType,
    ImportReport,
    Person,
    Role,
)
from singlewindow.registry.identity import LocalCheckDigitIdentity
from singlewindow.registry.tables import CommodityRow, EnterpriseRow, PersonRow

SELLER = "91411000MA9XC7Q2X8"
PLATFORM = "91370000728611939A"
CUSTOMS_CODE = "4101960ABC"
BUYER_ID = "34052419800101001X"


def _line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


def _seller(**extra: object) -> str:
    fields: dict[str, object] = {
        "kind": "enterprise",
        "code": SELLER,
        "name": "许昌发制品有限公司",
        "roles": ["ebc"],
        "county": "建安区",
        **extra,
    }
    return _line(**fields)


def _wig(**extra: object) -> str:
    fields: dict[str, object] = {
        "kind": "commodity",
        "ebc_code": SELLER,
        "item_no": "WIG-001",
        "hs_code": "6704110000",
        "name": "化纤制假发",
        **extra,
    }
    return _line(**fields)


GOOD_FILE = [
    _seller(),
    _line(
        kind="enterprise",
        code=PLATFORM,
        name="许昌跨境平台",
        roles=["ebp"],
        credit_class="advanced",
    ),
    _line(kind="enterprise", code=CUSTOMS_CODE, name="许昌报关行", roles=["agent", "logistics"]),
    _wig(origin_country="142", producer="许昌某发制品厂"),
    "",
    _line(kind="person", id_type="1", id_number=BUYER_ID, name="张三"),
]


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(EnterpriseRow)) or 0,
        session.scalar(select(func.count()).select_from(CommodityRow)) or 0,
        session.scalar(select(func.count()).select_from(PersonRow)) or 0,
    )


def _import(factory: sessionmaker[Session], lines: list[str]) -> ImportReport:
    with unit_of_work(factory) as session:
        return service.import_records(session, lines)


def test_import_files_every_kind(session_factory: sessionmaker[Session]) -> None:
    report = _import(session_factory, GOOD_FILE)
    assert report == ImportReport(enterprises=3, commodities=1, persons=1, certificates=0)
    with session_factory() as session:
        assert _counts(session) == (3, 1, 1)
        assert service.find_enterprise(session, PLATFORM) == Enterprise(
            code=PLATFORM,
            name="许昌跨境平台",
            roles=frozenset({Role.EBP}),
            credit_class=CreditClass.ADVANCED,
        )
        assert service.find_commodities(session, [(SELLER, "WIG-001"), (SELLER, "NONE")]) == {
            (SELLER, "WIG-001"): Commodity(
                SELLER, "WIG-001", "6704110000", "化纤制假发", "142", "许昌某发制品厂"
            )
        }
        assert service.find_person(session, IdType.RESIDENT_ID, BUYER_ID.lower()) == Person(
            IdType.RESIDENT_ID, BUYER_ID, "张三"
        )


def test_import_is_all_or_nothing_with_line_numbers(session_factory: sessionmaker[Session]) -> None:
    lines = [
        *GOOD_FILE,
        _line(kind="person", id_type="1", id_number="340524198001010013", name="李四"),
        _seller(code="91110108551385082F"),
        _wig(ebc_code=PLATFORM),
        _wig(ebc_code="91110108551385082Q"),
    ]
    with pytest.raises(DomainError) as raised, unit_of_work(session_factory) as session:
        service.import_records(session, lines)
    found = [(p.line, p.record, p.path, p.code) for p in raised.value.problems]
    assert found == [
        (7, "line 7", "id_number", "registry.id_check_digit"),
        (8, "line 8", "code", "registry.uscc_check_digit"),
        (9, "line 9", "ebc_code", "registry.ebc_role_missing"),
        (10, "line 10", "ebc_code", "registry.ebc_not_filed"),
    ]
    with session_factory() as session:
        assert _counts(session) == (0, 0, 0)


def test_reimport_updates_the_same_keys(
    session_factory: sessionmaker[Session], make_certificate: Callable[[str], tuple[str, bytes]]
) -> None:
    _import(session_factory, GOOD_FILE)
    pem, der = make_certificate("seller")
    report = _import(
        session_factory,
        [
            _seller(name="许昌发制品集团", credit_class="dishonest", certificates=[pem]),
            _wig(hs_code="6704190000", name="人发制假发"),
            _line(kind="person", id_type="1", id_number=BUYER_ID, name="张三丰"),
        ],
    )
    assert report == ImportReport(enterprises=1, commodities=1, persons=1, certificates=1)
    fingerprint = hashlib.sha256(der).hexdigest()
    with session_factory() as session:
        assert _counts(session) == (3, 1, 1)
        seller = service.find_enterprise(session, SELLER)
        assert seller == Enterprise(
            code=SELLER,
            name="许昌发制品集团",
            roles=frozenset({Role.EBC}),
            credit_class=CreditClass.DISHONEST,
            county="建安区",
            certificate_fingerprints=frozenset({fingerprint}),
        )
        assert service.enterprise_has_certificate(session, SELLER, fingerprint) is True
        assert service.enterprise_has_certificate(session, PLATFORM, fingerprint) is False
        wig = service.find_commodities(session, [(SELLER, "WIG-001")])[(SELLER, "WIG-001")]
        assert (wig.hs_code, wig.name, wig.origin_country) == ("6704190000", "人发制假发", None)
        person = service.find_person(session, IdType.RESIDENT_ID, BUYER_ID)
        assert person is not None and person.name == "张三丰"
    # Filing again without certificates withdraws them.
    _import(session_factory, [_seller()])
    with session_factory() as session:
        assert service.enterprise_has_certificate(session, SELLER, fingerprint) is False


def test_commodity_may_name_an_ebc_filed_before(session_factory: sessionmaker[Session]) -> None:
    _import(session_factory, [_seller()])
    assert _import(session_factory, [_wig(item_no="WIG-002")]).commodities == 1


def test_repeated_key_in_one_file_keeps_the_last_line(
    session_factory: sessionmaker[Session],
) -> None:
    report = _import(session_factory, [_seller(name="甲"), _seller(name="乙")])
    assert report.enterprises == 1
    with session_factory() as session:
        found = service.find_enterprise(session, SELLER)
        assert found is not None and found.name == "乙"


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_get_enterprises_is_one_query(
    engine: Engine,
    session_factory: sessionmaker[Session],
    make_certificate: Callable[[str], tuple[str, bytes]],
) -> None:
    pem_a, _ = make_certificate("a")
    pem_b, _ = make_certificate("b")
    _import(session_factory, [*GOOD_FILE, _seller(certificates=[pem_a, pem_b])])
    with session_factory() as session, _statements(engine) as seen:
        found = service.get_enterprises(session, [SELLER, PLATFORM, CUSTOMS_CODE, "4101960XYZ"])
    assert sorted(found) == sorted([SELLER, PLATFORM, CUSTOMS_CODE])
    assert len(found[SELLER].certificate_fingerprints) == 2
    assert found[CUSTOMS_CODE].roles == frozenset({Role.AGENT, Role.LOGISTICS})
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 1


def test_list_enterprises_pages_and_scopes(session_factory: sessionmaker[Session]) -> None:
    _import(session_factory, GOOD_FILE)
    with session_factory() as session:
        everyone = service.list_enterprises(session)
        assert [e.code for e in everyone] == sorted([SELLER, PLATFORM, CUSTOMS_CODE])
        assert [e.code for e in service.list_enterprises(session, limit=1, offset=1)] == [
            sorted([SELLER, PLATFORM, CUSTOMS_CODE])[1]
        ]
        assert [e.code for e in service.list_enterprises(session, only_code=SELLER)] == [SELLER]
        assert [c.item_no for c in service.list_commodities(session, ebc_code=SELLER)] == [
            "WIG-001"
        ]
        assert [p.id_number for p in service.list_persons(session)] == [BUYER_ID]


def test_demo_zone_files_cleanly(session_factory: sessionmaker[Session]) -> None:
    lines = zone_registry_lines()
    report = _import(session_factory, lines)
    kinds = [json.loads(line)["kind"] for line in lines]
    assert (report.enterprises, report.commodities, report.persons) == (
        kinds.count("enterprise"),
        kinds.count("commodity"),
        kinds.count("person"),
    )


@pytest.mark.parametrize(
    ("id_type", "number", "name", "verified", "reason"),
    [
        pytest.param("1", BUYER_ID, "张三", True, None, id="valid_case"),
        pytest.param("1", BUYER_ID.lower(), "张三", True, None, id="lower_x_case"),
        pytest.param(
            "1", "340524198001010013", "张三", False, "registry.id_check_digit", id="check_case"
        ),
        pytest.param(
            "1", "34052419800101", "张三", False, "registry.id_number_shape", id="shape_case"
        ),
        pytest.param("2", "E12345678", "John", True, None, id="other_document_case"),
        pytest.param("9", BUYER_ID, "张三", False, "registry.id_type_unknown", id="type_case"),
        pytest.param("1", BUYER_ID, " ", False, "registry.field_required", id="no_name_case"),
    ],
)
def test_local_identity_checker(
    id_type: str, number: str, name: str, verified: bool, reason: str | None
) -> None:
    result = LocalCheckDigitIdentity().check(id_type, number, name)
    assert (result.verified, result.reason_code) == (verified, reason)
