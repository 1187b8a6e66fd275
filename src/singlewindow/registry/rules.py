"""Pure rules of filing: check characters of codes and the validation of an import line."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from singlewindow.kit.errors import Problem
from singlewindow.kit.text import has_control_character
from singlewindow.registry.domain import (
    Certificate,
    Commodity,
    CreditClass,
    Enterprise,
    EnterpriseFiling,
    IdType,
    ImportRecord,
    Person,
    Role,
)

# GB 32100-2015: 31 characters (no I, O, S, V, Z); weights are 3^i mod 31.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11643-1999 (ISO 7064 MOD 11-2): weights are 2^(17-i) mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

_CUSTOMS_CODE = re.compile(r"[0-9A-Z]{10}")
_ID_BODY = re.compile(r"[0-9]{17}[0-9X]")
_HS_CODE = re.compile(r"[0-9]{10}")
_COUNTRY = re.compile(r"[0-9]{3}")

MESSAGES: Mapping[str, tuple[str, str]] = {
    "registry.line_not_json": ("该行不是JSON对象", "the line is not a JSON object"),
    "registry.kind_unknown": (
        "kind 应为 enterprise、commodity 或 person",
        "kind must be enterprise, commodity or person",
    ),
    "registry.field_required": ("必填字段缺失或为空", "a required field is missing or empty"),
    "registry.field_type": ("字段类型错误", "the field has the wrong type"),
    "registry.field_too_long": ("字段超过最大长度", "the field is longer than allowed"),
    "registry.field_control_character": (
        "字段含有控制字符(如 NUL)",
        "the field holds a control character (such as NUL)",
    ),
    "registry.field_unknown": ("未知字段", "unknown field"),
    "registry.enterprise_code_shape": (
        "企业代码应为18位统一社会信用代码或10位海关编码",
        "an enterprise code is an 18-character credit code or a 10-character customs code",
    ),
    "registry.uscc_check_digit": (
        "统一社会信用代码校验码错误（GB 32100）",
        "the unified social credit code fails its check character (GB 32100)",
    ),
    "registry.role_unknown": (
        "企业角色应为 ebp、ebc、pay、logistics、agent 或 warehouse",
        "a role is one of ebp, ebc, pay, logistics, agent, warehouse",
    ),
    "registry.roles_empty": ("企业至少应有一个角色", "an enterprise needs at least one role"),
    "registry.credit_class_unknown": (
        "信用等级应为 advanced、certified、regular、dishonest 或 seriously_dishonest",
        "the credit class is one of advanced, certified, regular, dishonest, seriously_dishonest",
    ),
    "registry.certificate_invalid": (
        "证书不是有效的PEM格式X.509证书",
        "the certificate is not a valid PEM X.509 certificate",
    ),
    "registry.hs_code_shape": ("商品编码应为10位数字", "the HS code is 10 digits"),
    "registry.country_code_shape": (
        "国家（地区）代码应为3位数字",
        "the country (region) code is 3 digits",
    ),
    "registry.id_type_unknown": (
        "证件类型应为1（身份证）或2（其它）",
        "the ID type is 1 (resident identity card) or 2 (other)",
    ),
    "registry.id_number_shape": (
        "身份证号码应为17位数字加1位校验码",
        "a resident ID number is 17 digits and a check character",
    ),
    "registry.id_check_digit": (
        "身份证号码校验码错误（GB 11643）",
        "the resident ID number fails its check character (GB 11643)",
    ),
    "registry.ebc_not_filed": (
        "电商企业未备案",
        "the e-commerce seller (ebc) is not filed",
    ),
    "registry.ebc_role_missing": (
        "该企业未以电商企业（ebc）角色备案",
        "the enterprise is not filed with the ebc role",
    ),
}

_MAX_LENGTH = {
    "name": 100,
    "county": 100,
    "park": 100,
    "item_no": 30,
    "producer": 100,
    "id_number": 60,
}
_COMMODITY_NAME_MAX = 250
_PERSON_NAME_MAX = 60

_FIELDS = {
    "enterprise": {
        "kind",
        "code",
        "name",
        "roles",
        "county",
        "park",
        "credit_class",
        "certificates",
    },
    "commodity": {"kind", "ebc_code", "item_no", "hs_code", "name", "origin_country", "producer"},
    "person": {"kind", "id_type", "id_number", "name"},
}


def problem(code: str, *, path: str = "", line: int | None = None) -> Problem:
    zh, en = MESSAGES[code]
    record = f"line {line}" if line is not None else ""
    return Problem(code, zh, en, path=path, line=line, record=record)


def uscc_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015 §5)."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_CHARSET for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def is_customs_code(code: str) -> bool:
    """A 10-character customs registration code (海关注册编码); it carries no check character."""
    return _CUSTOMS_CODE.fullmatch(code) is not None


def id_check_char(first17: str) -> str:
    """The 18th character of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(number: str) -> str:
    """Upper-case the trailing x that people often type."""
    return number.strip().upper()


def is_valid_id_number(number: str) -> bool:
    return _ID_BODY.fullmatch(number) is not None and id_check_char(number[:17]) == number[17]


def enterprise_code_problem(code: str) -> str | None:
    """The rule an enterprise code breaks, or None."""
    if len(code) == 18:
        if any(c not in USCC_CHARSET for c in code):
            return "registry.enterprise_code_shape"
        return None if uscc_check_char(code[:17]) == code[17] else "registry.uscc_check_digit"
    if is_customs_code(code):
        return None
    return "registry.enterprise_code_shape"


def id_number_problem(id_type: IdType, number: str) -> str | None:
    if id_type is not IdType.RESIDENT_ID:
        return None
    if _ID_BODY.fullmatch(number) is None:
        return "registry.id_number_shape"
    return None if id_check_char(number[:17]) == number[17] else "registry.id_check_digit"


def certificate_from_pem(pem: str) -> Certificate:
    """Parse one PEM certificate (ValueError if it is not one); fingerprint = SHA-256 of DER."""
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    der = cert.public_bytes(Encoding.DER)
    normalized = cert.public_bytes(Encoding.PEM).decode("ascii")
    return Certificate(fingerprint=hashlib.sha256(der).hexdigest(), pem=normalized)


class _Bad(Exception):
    def __init__(self, code: str, path: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.path = path


def _fail(code: str, path: str = "") -> NoReturn:
    raise _Bad(code, path)


def _text(obj: Mapping[str, Any], key: str, *, required: bool, max_length: int) -> str | None:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            _fail("registry.field_required", key)
        return None
    if not isinstance(value, str):
        _fail("registry.field_type", key)
    value = value.strip()
    if required and not value:
        _fail("registry.field_required", key)
    if len(value) > max_length:
        _fail("registry.field_too_long", key)
    if has_control_character(value):
        _fail("registry.field_control_character", key)
    return value or None


def _required(obj: Mapping[str, Any], key: str, max_length: int) -> str:
    value = _text(obj, key, required=True, max_length=max_length)
    assert value is not None  # _text refuses a missing required field
    return value


def _code(obj: Mapping[str, Any], key: str) -> str:
    code = _required(obj, key, 18)
    rule = enterprise_code_problem(code)
    if rule:
        _fail(rule, key)
    return code


def _enterprise(obj: Mapping[str, Any]) -> EnterpriseFiling:
    code = _code(obj, "code")
    name = _required(obj, "name", _MAX_LENGTH["name"])
    roles_raw = obj.get("roles")
    if roles_raw is None:
        _fail("registry.field_required", "roles")
    if not isinstance(roles_raw, list) or not all(isinstance(r, str) for r in roles_raw):
        _fail("registry.field_type", "roles")
    if not roles_raw:
        _fail("registry.roles_empty", "roles")
    known = {r.value for r in Role}
    for index, role in enumerate(roles_raw):
        if role not in known:
            _fail("registry.role_unknown", f"roles[{index}]")
    credit_raw = _text(obj, "credit_class", required=False, max_length=32)
    if credit_raw is not None and credit_raw not in {c.value for c in CreditClass}:
        _fail("registry.credit_class_unknown", "credit_class")
    certs_raw = obj.get("certificates") or []
    if not isinstance(certs_raw, list):
        _fail("registry.field_type", "certificates")
    certificates: dict[str, Certificate] = {}
    for index, pem in enumerate(certs_raw):
        if not isinstance(pem, str):
            _fail("registry.field_type", f"certificates[{index}]")
        try:
            cert = certificate_from_pem(pem)
        except ValueError:
            _fail("registry.certificate_invalid", f"certificates[{index}]")
        certificates[cert.fingerprint] = cert
    enterprise = Enterprise(
        code=code,
        name=name,
        roles=frozenset(Role(r) for r in roles_raw),
        credit_class=CreditClass(credit_raw) if credit_raw else CreditClass.REGULAR,
        county=_text(obj, "county", required=False, max_length=_MAX_LENGTH["county"]),
        park=_text(obj, "park", required=False, max_length=_MAX_LENGTH["park"]),
        certificate_fingerprints=frozenset(certificates),
    )
    return EnterpriseFiling(enterprise, tuple(certificates.values()))


def _commodity(obj: Mapping[str, Any]) -> Commodity:
    ebc_code = _code(obj, "ebc_code")
    item_no = _required(obj, "item_no", _MAX_LENGTH["item_no"])
    hs_code = _required(obj, "hs_code", 10)
    if _HS_CODE.fullmatch(hs_code) is None:
        _fail("registry.hs_code_shape", "hs_code")
    name = _required(obj, "name", _COMMODITY_NAME_MAX)
    country = _text(obj, "origin_country", required=False, max_length=3)
    if country is not None and _COUNTRY.fullmatch(country) is None:
        _fail("registry.country_code_shape", "origin_country")
    producer = _text(obj, "producer", required=False, max_length=_MAX_LENGTH["producer"])
    return Commodity(ebc_code, item_no, hs_code, name, country, producer)


def _person(obj: Mapping[str, Any]) -> Person:
    id_type_raw = _required(obj, "id_type", 1)
    if id_type_raw not in {t.value for t in IdType}:
        _fail("registry.id_type_unknown", "id_type")
    id_type = IdType(id_type_raw)
    id_number = normalize_id_number(_required(obj, "id_number", _MAX_LENGTH["id_number"]))
    rule = id_number_problem(id_type, id_number)
    if rule:
        _fail(rule, "id_number")
    return Person(id_type, id_number, _required(obj, "name", _PERSON_NAME_MAX))


_PARSERS: Mapping[str, Callable[[Mapping[str, Any]], ImportRecord]] = {
    "enterprise": _enterprise,
    "commodity": _commodity,
    "person": _person,
}


def parse_import_line(text: str, line: int) -> ImportRecord | Problem:
    """One JSONL line of `registry import` → its record, or the first rule it breaks."""
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: a line nested thousands deep
        return problem("registry.line_not_json", line=line)
    if not isinstance(obj, dict):
        return problem("registry.line_not_json", line=line)
    kind = obj.get("kind")
    if not isinstance(kind, str) or kind not in _PARSERS:
        return problem("registry.kind_unknown", path="kind", line=line)
    unknown = sorted(set(obj) - _FIELDS[kind])
    if unknown:
        return problem("registry.field_unknown", path=unknown[0], line=line)
    try:
        return _PARSERS[kind](obj)
    except _Bad as bad:
        return problem(bad.code, path=bad.path, line=line)
