"""XSD simple-type rules of a leaf value (xs:string, xs:decimal, xs:int and their facets).

The rules follow XML Schema 1.0 as libxml2 applies them, so that `check` and the exported XSD
judge every value alike: decimals and ints are whitespace-collapsed, `totalDigits` ignores leading
zeros and `fractionDigits` trailing zeros of the fraction, xs:int is 32-bit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from singlewindow.message.definitions import Facets, LeafType

XML_WHITESPACE = " \t\n\r"
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
_DECIMAL = re.compile(r"[+-]?(0*)([0-9]*)(?:\.([0-9]*))?")
_INTEGER = re.compile(r"[+-]?([0-9]+)")
_RUNS = re.compile(r"[ \t\n\r]+")
# libxml2 reads at most 24 significant digits; longer numerals are not numbers to it.
_MAX_DIGITS = 24


@dataclass(frozen=True, slots=True)
class Violation:
    code: str
    message_zh: str
    message_en: str


def collapse(text: str) -> str:
    return _RUNS.sub(" ", text).strip(" ")


def fast_matcher(kind: LeafType, facets: Facets) -> Callable[[str], object] | None:
    """A regex that accepts only values surely valid (the common, short case), or None.

    A miss is not an error: the caller then runs `violation` for the exact verdict.
    """
    if facets.enumeration or facets.collapse:
        return None
    if kind is LeafType.DECIMAL:
        total = facets.total_digits or 19
        frac = facets.fraction_digits if facets.fraction_digits is not None else total
        whole = max(total - frac, 1) if frac else total
        fraction = rf"(?:\.[0-9]{{1,{frac}}})?" if frac else ""
        if whole + frac > total:
            return None
        return re.compile(rf"-?[0-9]{{1,{whole}}}{fraction}").fullmatch
    if kind is LeafType.INT:
        digits = min(facets.total_digits or 9, 9)
        return re.compile(rf"-?[0-9]{{1,{digits}}}").fullmatch
    return None


def length_bounds(facets: Facets) -> tuple[int, int]:
    if facets.length is not None:
        return facets.length, facets.length
    low = facets.min_length or 0
    high = facets.max_length if facets.max_length is not None else 1 << 62
    return low, high


def violation(name: str, label: str, kind: LeafType, facets: Facets, text: str) -> Violation | None:
    """The first rule `text` breaks, or None when the value is valid."""
    field = f"{label}（{name}）" if label else name
    if kind is LeafType.DECIMAL:
        return _decimal(name, field, facets, text)
    if kind is LeafType.INT:
        return _int(name, field, facets, text)
    value = collapse(text) if facets.collapse else text
    size = len(value)
    if facets.length is not None and size != facets.length:
        return Violation(
            "format.length",
            f"{field}长度为 {size}，规范要求恰好 {facets.length} 个字符",
            f"{name} is {size} characters long; exactly {facets.length} required",
        )
    if facets.min_length is not None and size < facets.min_length:
        code = "format.missing" if size == 0 else "format.too_short"
        return Violation(
            code,
            f"{field}长度为 {size}，至少需要 {facets.min_length} 个字符",
            f"{name} is {size} characters long; at least {facets.min_length} required",
        )
    if facets.max_length is not None and size > facets.max_length:
        return Violation(
            "format.too_long",
            f"{field}长度为 {size}，超过最大长度 {facets.max_length}",
            f"{name} is {size} characters long; at most {facets.max_length} allowed",
        )
    if facets.enumeration and value not in facets.enumeration:
        allowed = ", ".join(facets.enumeration)
        return Violation(
            "format.enumeration",
            f"{field}的取值不在规范允许的范围内（{allowed}）",
            f"{name} must be one of {allowed}",
        )
    return None


def _decimal(name: str, field: str, facets: Facets, text: str) -> Violation | None:
    match = _DECIMAL.fullmatch(text.strip(XML_WHITESPACE))
    zeros, whole, fraction = match.groups() if match else ("", "", None)
    if match is None or not (zeros or whole or fraction):
        return Violation(
            "format.not_decimal",
            f"{field}不是合法的十进制数",
            f"{name} is not a decimal number",
        )
    fraction = (fraction or "").rstrip("0")
    if len(whole) + len(fraction) > _MAX_DIGITS:
        return Violation(
            "format.digits",
            f"{field}的有效数字超过 {_MAX_DIGITS} 位",
            f"{name} has more than {_MAX_DIGITS} significant digits",
        )
    total = max(len(whole) + len(fraction), 1)
    return _digits(name, field, facets, total, len(fraction))


def _int(name: str, field: str, facets: Facets, text: str) -> Violation | None:
    match = _INTEGER.fullmatch(text.strip(XML_WHITESPACE))
    if match is None or len(match.group(1).lstrip("0")) > _MAX_DIGITS:
        return Violation(
            "format.not_int",
            f"{field}不是合法的整数",
            f"{name} is not an integer (xs:int)",
        )
    value = int(match.group(0))
    if not INT_MIN <= value <= INT_MAX:
        return Violation(
            "format.int_range",
            f"{field}超出 32 位整数范围",
            f"{name} is outside the xs:int range {INT_MIN}..{INT_MAX}",
        )
    return _digits(name, field, facets, len(match.group(1).lstrip("0")), 0)


def _digits(name: str, field: str, facets: Facets, total: int, frac: int) -> Violation | None:
    if facets.total_digits is not None and total > facets.total_digits:
        return Violation(
            "format.digits",
            f"{field}共有 {total} 位数字，最多允许 {facets.total_digits} 位",
            f"{name} has {total} digits; at most {facets.total_digits} allowed",
        )
    if facets.fraction_digits is not None and frac > facets.fraction_digits:
        return Violation(
            "format.fraction_digits",
            f"{field}有 {frac} 位小数，最多允许 {facets.fraction_digits} 位",
            f"{name} has {frac} fraction digits; at most {facets.fraction_digits} allowed",
        )
    return None
