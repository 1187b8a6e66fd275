"""Pure rules of the statistics: rates, percentiles from a histogram, which targets apply,
periods, and the validation of a facility filing line."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from singlewindow.kit.errors import Problem
from singlewindow.kit.text import has_control_character
from singlewindow.statistics.domain import (
    DEFAULT_TARGET_YEAR,
    SEED_TARGETS,
    Facility,
    FacilityKind,
    Target,
    TargetIndicator,
)

RATE_PLACES = Decimal("0.0001")


def rate(numerator: int, denominator: int) -> str | None:
    """A share as a 4-decimal string, rounded half-up; None when nothing was counted."""
    if denominator <= 0:
        return None
    share = (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)
    return str(share)


def percentile(histogram: Iterable[tuple[int, int]], q: Decimal) -> int | None:
    """Nearest-rank percentile of a histogram of (upper edge, samples): the edge of the bucket
    holding sample number ceil(q × n). None when there are no samples."""
    ordered = sorted((edge, n) for edge, n in histogram if n > 0)
    total = sum(n for _, n in ordered)
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for edge, n in ordered:
        seen += n
        if seen >= rank:
            return edge
    return ordered[-1][0]


def targets_for(year: int, stored: Mapping[int, Mapping[str, int]]) -> list[Target]:
    """The targets that apply to a year: its own stored row per indicator, else the latest
    earlier stored year's, else the seed's (2017's for 2017 and before, 2018's after)."""
    found: list[Target] = []
    for indicator in TargetIndicator:
        earlier = [y for y, values in stored.items() if y <= year and indicator in values]
        if earlier:
            source = max(earlier)
            found.append(Target(indicator, int(stored[source][indicator]), source))
            continue
        seed_year = year if year in SEED_TARGETS else DEFAULT_TARGET_YEAR
        if year < min(SEED_TARGETS):
            seed_year = min(SEED_TARGETS)
        found.append(Target(indicator, SEED_TARGETS[seed_year][indicator], seed_year))
    return found


def ratio(actual: int | None, target: int) -> str | None:
    return rate(actual, target) if actual is not None else None


def days(start: date, end: date) -> list[date]:
    """Every day from start to end, both included."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def period_key(day: date, grain: str) -> str:
    """The label of the day's period: 2026-05-11 (day), 2026-05 (month) or 2026 (year)."""
    if grain == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if grain == "year":
        return f"{day.year:04d}"
    return day.isoformat()


# --- facility filing lines (JSONL) -----------------------------------------------------------

_FACILITY_FIELDS = frozenset(
    {"kind", "code", "name", "filed_on", "closed_on", "county", "park", "enterprise_code"}
    | {"country", "industry"}
)
_TEXT_LIMITS = {
    "code": 40,
    "name": 200,
    "county": 100,
    "park": 100,
    "enterprise_code": 18,
    "country": 3,
    "industry": 100,
}

_MESSAGES: dict[str, tuple[str, str]] = {
    "statistics.line_not_json": ("该行不是JSON对象", "the line is not a JSON object"),
    "statistics.field_unknown": ("未知字段", "unknown field"),
    "statistics.kind_unknown": (
        "kind 应为 demonstration_park、training_base、overseas_warehouse 或 key_enterprise",
        "kind is demonstration_park, training_base, overseas_warehouse or key_enterprise",
    ),
    "statistics.field_missing": ("缺少必填字段", "a required field is missing"),
    "statistics.field_too_long": ("字段过长", "the field is too long"),
    "statistics.field_control_character": (
        "字段含有控制字符(如 NUL)",
        "the field holds a control character (such as NUL)",
    ),
    "statistics.date_invalid": ("日期应为 YYYY-MM-DD", "a date is written YYYY-MM-DD"),
    "statistics.closed_before_filed": ("撤销日期早于备案日期", "closed before it was filed"),
    "statistics.enterprise_required": (
        "重点企业须填写 enterprise_code",
        "a key enterprise needs its enterprise_code",
    ),
}


def facility_problem(code: str, *, path: str = "", line: int | None = None) -> Problem:
    zh, en = _MESSAGES[code]
    return Problem(code, zh, en, path=path, line=line)


class _Bad(Exception):
    def __init__(self, code: str, path: str) -> None:
        super().__init__(code)
        self.code = code
        self.path = path


def _text(obj: Mapping[str, Any], name: str, *, required: bool = False) -> str:
    value = obj.get(name)
    if value is None or value == "":
        if required:
            raise _Bad("statistics.field_missing", name)
        return ""
    if not isinstance(value, str):
        raise _Bad("statistics.field_missing", name)
    value = value.strip()
    if len(value) > _TEXT_LIMITS.get(name, 200):
        raise _Bad("statistics.field_too_long", name)
    if has_control_character(value):
        raise _Bad("statistics.field_control_character", name)
    return value


def _date(obj: Mapping[str, Any], name: str, *, required: bool) -> date | None:
    value = obj.get(name)
    if value in (None, ""):
        if required:
            raise _Bad("statistics.field_missing", name)
        return None
    try:
        return date.fromisoformat(str(value)) if len(str(value)) == 10 else _bad_date(name)
    except ValueError:
        return _bad_date(name)


def _bad_date(name: str) -> date:
    raise _Bad("statistics.date_invalid", name)


def parse_facility_line(text: str, line: int) -> Facility | Problem:
    """One JSONL line of `statistics facilities import` → the facility, or the first rule broken."""
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: a line nested thousands deep
        return facility_problem("statistics.line_not_json", line=line)
    if not isinstance(obj, dict):
        return facility_problem("statistics.line_not_json", line=line)
    unknown = sorted(set(obj) - _FACILITY_FIELDS)
    if unknown:
        return facility_problem("statistics.field_unknown", path=unknown[0], line=line)
    kind = obj.get("kind")
    if not isinstance(kind, str) or kind not in {k.value for k in FacilityKind}:
        return facility_problem("statistics.kind_unknown", path="kind", line=line)
    try:
        filed_on = _date(obj, "filed_on", required=True)
        closed_on = _date(obj, "closed_on", required=False)
        assert filed_on is not None
        if closed_on is not None and closed_on < filed_on:
            raise _Bad("statistics.closed_before_filed", "closed_on")
        facility = Facility(
            code=_text(obj, "code", required=True),
            kind=FacilityKind(kind),
            name=_text(obj, "name", required=True),
            filed_on=filed_on,
            closed_on=closed_on,
            county=_text(obj, "county"),
            park=_text(obj, "park"),
            enterprise_code=_text(obj, "enterprise_code"),
            country=_text(obj, "country"),
            industry=_text(obj, "industry"),
        )
    except _Bad as bad:
        return facility_problem(bad.code, path=bad.path, line=line)
    if facility.kind is FacilityKind.KEY_ENTERPRISE and not facility.enterprise_code:
        return facility_problem("statistics.enterprise_required", path="enterprise_code", line=line)
    return facility
