from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date

import pytest

from singlewindow.demo.catalog import BUYER_REGIONS, COUNTIES
from singlewindow.demo.identifiers import (
    id_check_char,
    make_id_number,
    make_uscc,
    org_code_check_char,
    uscc_check_char,
    with_wrong_check,
)
from singlewindow.demo.zone import build_zone, zone_registry_lines
from singlewindow.kit.errors import Problem

# Reference implementations written from SYSTEMS.md §2.3-2.4, independent of the module.
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def ref_uscc_ok(code: str) -> bool:
    if len(code) != 18 or any(c not in _USCC for c in code):
        return False
    s = sum(_USCC.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    return _USCC[(31 - s % 31) % 31] == code[17]


def ref_id_ok(number: str) -> bool:
    s = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(number[:17]))
    return "10X98765432"[s % 11] == number[17]


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        pytest.param("91370000728611939A", True, id="published_a_case"),
        pytest.param("531000005000160090", True, id="published_social_org_case"),
        pytest.param("52410000663412719U", True, id="published_henan_case"),
        pytest.param("91110108551385082Q", True, id="published_beijing_case"),
        pytest.param("91110108551385082F", False, id="published_wrong_check_case"),
    ],
)
def test_uscc_check_char_matches_published_vectors(code: str, valid: bool) -> None:
    assert (uscc_check_char(code[:17]) == code[17]) is valid
    assert ref_uscc_ok(code) is valid


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        pytest.param("34052419800101001X", True, id="published_x_case"),
        pytest.param("340524198001010013", False, id="published_wrong_case"),
    ],
)
def test_id_check_char_matches_published_vectors(number: str, valid: bool) -> None:
    assert (id_check_char(number[:17]) == number[17]) is valid


def test_embedded_org_code_check_of_published_code() -> None:
    # 91370000728611939A embeds the organisation code 72861193-9.
    assert org_code_check_char("72861193") == "9"


def test_generated_codes_pass_both_checks() -> None:
    rng = random.Random(7)
    for _ in range(500):
        code = make_uscc(rng, "411081")
        assert ref_uscc_ok(code)
        assert code.startswith("91411081")
        assert org_code_check_char(code[8:16]) == code[16]
        number = make_id_number(rng, "411002", date(1990, 2, 28))
        assert ref_id_ok(number)
        assert number[6:14] == "19900228"
        assert not ref_id_ok(with_wrong_check(number))


def test_zone_is_deterministic_per_seed() -> None:
    assert zone_registry_lines(build_zone(11)) == zone_registry_lines(build_zone(11))
    assert zone_registry_lines(build_zone(11)) != zone_registry_lines(build_zone(12))


def test_registry_lines_have_the_import_format_and_valid_check_digits() -> None:
    zone = build_zone(persons=300)
    records = [json.loads(line) for line in zone_registry_lines(zone)]
    kinds = Counter(r["kind"] for r in records)
    assert kinds == {
        "enterprise": len(zone.enterprises),
        "commodity": len(zone.commodities),
        "person": 300,
    }
    enterprises = [r for r in records if r["kind"] == "enterprise"]
    assert set(enterprises[0]) == {
        "kind",
        "code",
        "name",
        "roles",
        "county",
        "park",
        "credit_class",
    }
    assert all(ref_uscc_ok(r["code"]) for r in enterprises)
    assert len({r["code"] for r in enterprises}) == len(enterprises)
    persons = [r for r in records if r["kind"] == "person"]
    regions = {code for code, _ in BUYER_REGIONS}
    for p in persons:
        number = p["id_number"]
        assert set(p) == {"kind", "id_type", "id_number", "name"}
        assert p["id_type"] == "1"
        assert ref_id_ok(number)
        assert number[:6] in regions
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        assert date(1947, 1, 1) <= born <= date(1999, 12, 31)
    sellers = {r["code"] for r in enterprises if "ebc" in r["roles"]}
    for c in (r for r in records if r["kind"] == "commodity"):
        assert set(c) == {
            "kind",
            "ebc_code",
            "item_no",
            "hs_code",
            "name",
            "origin_country",
            "producer",
        }
        assert c["ebc_code"] in sellers
        assert len(c["hs_code"]) == 10 and c["hs_code"].isdigit()
        assert len(c["item_no"]) <= 20


def test_zone_covers_roles_counties_industries_and_credit_classes() -> None:
    zone = build_zone()
    roles = Counter(r for e in zone.enterprises for r in e.roles)
    assert set(roles) == {"ebp", "ebc", "pay", "logistics", "agent", "warehouse"}
    assert {e.county for e in zone.enterprises} == set(COUNTIES)
    classes = Counter(e.credit_class for e in zone.enterprises)
    assert classes["dishonest"] == 2
    assert classes["regular"] > len(zone.enterprises) / 2
    assert classes["advanced"] >= 1 and classes["certified"] >= 1
    hs = {c.hs_code for c in zone.commodities}
    for code in (
        "6704200000",
        "6704110000",
        "0409000000",
        "6910100000",
        "6911101100",
        "0603199000",
        "4202220000",
        "1211903999",
        "8467291000",
        "1901101090",
        "0402210000",
        "3304990099",
        "2204210000",
        "2106909090",
    ):
        assert code in hs
    assert sum(c.negative for c in zone.commodities) == 3


def test_certificates_are_filed_for_the_enterprises_given() -> None:
    zone = build_zone(persons=1)
    first = zone.enterprises[0].code
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    records = [json.loads(x) for x in zone_registry_lines(zone, certificates={first: [pem]})]
    with_certs = [r for r in records if "certificates" in r]
    assert with_certs == [{**with_certs[0], "code": first, "certificates": [pem]}]


def test_the_registry_accepts_every_line() -> None:
    from singlewindow.registry.rules import parse_import_line

    zone = build_zone(persons=200)
    for n, line in enumerate(zone_registry_lines(zone), start=1):
        record = parse_import_line(line, n)
        assert not isinstance(record, Problem), record
