from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from singlewindow.kit.errors import Problem
from singlewindow.registry.domain import (
    Commodity,
    CreditClass,
    EnterpriseFiling,
    IdType,
    Person,
    Role,
)
from singlewindow.registry.rules import (
    USCC_CHARSET,
    certificate_from_pem,
    enterprise_code_problem,
    id_check_char,
    id_number_problem,
    is_customs_code,
    is_valid_id_number,
    is_valid_uscc,
    parse_import_line,
    uscc_check_char,
)

# Built here: 9 (market regulation) 1 (enterprise) 411000 (Xuchang) + organisation code
# MA9XC7Q2 with its GB 11714 check X, then the GB 32100 check character 8.
CONSTRUCTED_USCC = "91411000MA9XC7Q2X8"


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        pytest.param(CONSTRUCTED_USCC, True, id="constructed_xuchang_case"),
        pytest.param("91370000728611939A", True, id="letter_check_case"),
        pytest.param("531000005000160090", True, id="social_group_zero_check_case"),
        pytest.param("52410000663412719U", True, id="private_non_enterprise_case"),
        pytest.param("91110108551385082Q", True, id="beijing_haidian_case"),
        pytest.param("91110108551385082F", False, id="wrong_check_char_case"),
        pytest.param("91411000MA9XC7Q2X9", False, id="constructed_off_by_one_case"),
        pytest.param("91350100M0001TGQXM", False, id="early_pilot_code_fails_checksum_case"),
        pytest.param("91110108551385082", False, id="seventeen_chars_case"),
        pytest.param("9111010855138508IQ", False, id="excluded_letter_i_case"),
        pytest.param("91110108551385082q", False, id="lower_case_case"),
    ],
)
def test_uscc_check_character(code: str, valid: bool) -> None:
    assert is_valid_uscc(code) is valid


def test_uscc_check_char_of_constructed_code() -> None:
    assert uscc_check_char(CONSTRUCTED_USCC[:17]) == "8"


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        pytest.param("34052419800101001X", True, id="check_x_case"),
        pytest.param("340524198001010013", False, id="x_expected_digit_given_case"),
        pytest.param("411002199003071236", True, id="digit_check_case"),
        pytest.param("411002199003071235", False, id="digit_off_by_one_case"),
        pytest.param("11010519491231002X", True, id="beijing_x_case"),
        pytest.param("34052419800101001", False, id="seventeen_digits_case"),
        pytest.param("3405241980010100XX", False, id="x_in_body_case"),
        pytest.param("34052419800101001x", False, id="lower_x_unnormalised_case"),
    ],
)
def test_id_number_check_character(number: str, valid: bool) -> None:
    assert is_valid_id_number(number) is valid


def test_id_check_char_maps_remainder_two_to_x() -> None:
    assert id_check_char("34052419800101001") == "X"
    assert id_check_char("41100219900307123") == "6"


@pytest.mark.parametrize(
    ("code", "customs"),
    [
        pytest.param("4101960ABC", True, id="alnum_ten_case"),
        pytest.param("4101960123", True, id="digits_ten_case"),
        pytest.param("4101960AB", False, id="nine_case"),
        pytest.param("4101960abc", False, id="lower_case_case"),
    ],
)
def test_customs_code_shape(code: str, customs: bool) -> None:
    assert is_customs_code(code) is customs


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        pytest.param(CONSTRUCTED_USCC, None, id="valid_uscc_case"),
        pytest.param("4101960ABC", None, id="customs_code_case"),
        pytest.param("91110108551385082F", "registry.uscc_check_digit", id="bad_check_case"),
        pytest.param("9111010855138508OQ", "registry.enterprise_code_shape", id="letter_o_case"),
        pytest.param("12345", "registry.enterprise_code_shape", id="short_case"),
    ],
)
def test_enterprise_code_problem(code: str, rule: str | None) -> None:
    assert enterprise_code_problem(code) == rule


def test_id_number_problem_other_type_is_free_text() -> None:
    assert id_number_problem(IdType.OTHER, "E12345678") is None
    assert id_number_problem(IdType.RESIDENT_ID, "E12345678") == "registry.id_number_shape"


def test_certificate_fingerprint_is_sha256_of_der(
    make_certificate: Callable[[str], tuple[str, bytes]],
) -> None:
    pem, der = make_certificate("seller")
    cert = certificate_from_pem(pem)
    assert cert.fingerprint == hashlib.sha256(der).hexdigest()
    assert cert.pem.startswith("-----BEGIN CERTIFICATE-----\n")


def _line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


def test_parse_enterprise_line_with_defaults() -> None:
    parsed = parse_import_line(
        _line(
            kind="enterprise",
            code=CONSTRUCTED_USCC,
            name="许昌发制品有限公司",
            roles=["ebc", "ebp"],
        ),
        1,
    )
    assert isinstance(parsed, EnterpriseFiling)
    assert parsed.enterprise.roles == frozenset({Role.EBC, Role.EBP})
    assert parsed.enterprise.credit_class is CreditClass.REGULAR
    assert parsed.enterprise.county is None
    assert parsed.certificates == ()


def test_parse_commodity_and_person_lines() -> None:
    commodity = parse_import_line(
        _line(
            kind="commodity",
            ebc_code=CONSTRUCTED_USCC,
            item_no="WIG-001",
            hs_code="6704110000",
            name="化纤制假发",
            origin_country="142",
        ),
        2,
    )
    assert commodity == Commodity(CONSTRUCTED_USCC, "WIG-001", "6704110000", "化纤制假发", "142")
    person = parse_import_line(
        _line(kind="person", id_type="1", id_number="34052419800101001x", name="张三"), 3
    )
    assert person == Person(IdType.RESIDENT_ID, "34052419800101001X", "张三")


_E = {"kind": "enterprise", "code": CONSTRUCTED_USCC, "name": "甲", "roles": ["ebc"]}
_C = {
    "kind": "commodity",
    "ebc_code": CONSTRUCTED_USCC,
    "item_no": "1",
    "hs_code": "6704110000",
    "name": "假发",
}
_P = {"kind": "person", "id_type": "1", "id_number": "34052419800101001X", "name": "张三"}


@pytest.mark.parametrize(
    ("fields", "code", "path"),
    [
        pytest.param(
            {**_E, "code": "91110108551385082F"},
            "registry.uscc_check_digit",
            "code",
            id="uscc_check_case",
        ),
        pytest.param(
            {**_E, "code": "ABC"}, "registry.enterprise_code_shape", "code", id="code_shape_case"
        ),
        pytest.param({**_E, "name": ""}, "registry.field_required", "name", id="empty_name_case"),
        pytest.param(
            {**_E, "name": "甲" * 101}, "registry.field_too_long", "name", id="long_name_case"
        ),
        pytest.param({**_E, "roles": []}, "registry.roles_empty", "roles", id="no_roles_case"),
        pytest.param(
            {**_E, "roles": ["ebc", "bank"]},
            "registry.role_unknown",
            "roles[1]",
            id="bad_role_case",
        ),
        pytest.param(
            {**_E, "roles": "ebc"}, "registry.field_type", "roles", id="roles_not_list_case"
        ),
        pytest.param(
            {**_E, "credit_class": "good"},
            "registry.credit_class_unknown",
            "credit_class",
            id="credit_case",
        ),
        pytest.param(
            {**_E, "certificates": ["nope"]},
            "registry.certificate_invalid",
            "certificates[0]",
            id="cert_case",
        ),
        pytest.param(
            {**_E, "website": "x"}, "registry.field_unknown", "website", id="unknown_field_case"
        ),
        pytest.param(
            {**_C, "hs_code": "67041100"}, "registry.hs_code_shape", "hs_code", id="hs_eight_case"
        ),
        pytest.param(
            {**_C, "origin_country": "CN"},
            "registry.country_code_shape",
            "origin_country",
            id="country_case",
        ),
        pytest.param(
            {**_C, "item_no": 7}, "registry.field_type", "item_no", id="item_no_number_case"
        ),
        pytest.param(
            {k: v for k, v in _C.items() if k != "name"},
            "registry.field_required",
            "name",
            id="no_name_case",
        ),
        pytest.param(
            {**_P, "id_number": "340524198001010013"},
            "registry.id_check_digit",
            "id_number",
            id="id_check_case",
        ),
        pytest.param(
            {**_P, "id_number": "3405241980"},
            "registry.id_number_shape",
            "id_number",
            id="id_shape_case",
        ),
        pytest.param(
            {**_P, "id_type": "3"}, "registry.id_type_unknown", "id_type", id="id_type_case"
        ),
        pytest.param({**_P, "kind": "buyer"}, "registry.kind_unknown", "kind", id="kind_case"),
    ],
)
def test_parse_refuses_bad_line(fields: dict[str, object], code: str, path: str) -> None:
    parsed = parse_import_line(json.dumps(fields, ensure_ascii=False), 7)
    assert isinstance(parsed, Problem)
    assert (parsed.code, parsed.path, parsed.line, parsed.record) == (code, path, 7, "line 7")
    assert parsed.message_zh and parsed.message_en


@pytest.mark.parametrize(
    "text",
    [pytest.param("{not json", id="broken_json_case"), pytest.param("[1, 2]", id="array_case")],
)
def test_parse_refuses_non_object(text: str) -> None:
    parsed = parse_import_line(text, 4)
    assert isinstance(parsed, Problem)
    assert (parsed.code, parsed.line) == ("registry.line_not_json", 4)


_USCC_BODY = st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17)
_ID_BODY = st.text(alphabet="0123456789", min_size=17, max_size=17)


@given(body=_USCC_BODY, position=st.integers(0, 17), shift=st.integers(1, 30))
def test_uscc_check_catches_any_single_substitution(body: str, position: int, shift: int) -> None:
    code = body + uscc_check_char(body)
    assert is_valid_uscc(code)
    changed = USCC_CHARSET[(USCC_CHARSET.index(code[position]) + shift) % 31]
    assert not is_valid_uscc(code[:position] + changed + code[position + 1 :])


@given(body=_ID_BODY, position=st.integers(0, 16), shift=st.integers(1, 9))
def test_id_check_catches_any_single_digit_change(body: str, position: int, shift: int) -> None:
    number = body + id_check_char(body)
    assert is_valid_id_number(number)
    changed = str((int(number[position]) + shift) % 10)
    assert not is_valid_id_number(number[:position] + changed + number[position + 1 :])
