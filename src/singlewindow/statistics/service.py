"""Statistics use cases: the console dashboard, one indicator over a period, targets, facilities.

Everything here reads the daily roll-ups that `recording` keeps as inventories move (never the
inventories themselves), so a page view costs the same with ten or ten million inventories.
Definitions of every figure: `docs/indicators.md`.

`dashboard(session, principal, *, now)` returns a plain dict (JSON-ready, money in integer fen
with a yuan string beside it, rates as 4-decimal strings or None when nothing was counted):

    {
      "as_of": "2026-05-11T09:30:00+08:00",     # now, in CST
      "year": 2026,                              # the CST calendar year of now
      "period": {"start": "2026-01-01", "end": "2026-05-11"},   # year to date, CST days
      "scope": {"kind": "zone" | "enterprise", "enterprise_code": None | "410196xxxx"},
      "kpis": {
        "lists_declared": int,          # inventories submitted to customs (→120)
        "parcels_released": int,        # inventories released (→800), both directions
        "import_parcels_released": int,
        "export_parcels_released": int,
        "trade_value_fen": int, "trade_value_cny": "1234.56",   # Σ value of released lists
        "import_value_fen": int, "import_value_cny": str,
        "export_value_fen": int, "export_value_cny": str,
        "lists_refused": int,
        "comparison_pass_rate": "0.9500" | None,
        "inspection_rate": "0.0300" | None,
        "release_latency_seconds": {"count": int, "median": int | None, "p95": int | None},
        "taxes_fen": int, "taxes_cny": str,
        "enterprises_filed": int,       # zone: filed sellers (ebc); enterprise: 1
        "enterprises_active": int,      # sellers with ≥ 1 released list this year
      },
      "targets": [                      # zone scope only; [] for an enterprise
        {"indicator": "cbec_transaction_value", "label_zh": str, "label_en": str,
         "unit": "fen" | "count", "target": int, "actual": int | None,
         "ratio": "0.4500" | None, "target_year": 2018},   # year the target row came from
        ...                             # training_bases, demonstration_parks,
      ],                                # public_overseas_warehouses, key_enterprises,
                                        # ecommerce_transaction_value (actual None)
      "trend": [                        # last 30 CST days, oldest first, zero-filled
        {"day": "2026-04-12", "declared": int, "released": int, "refused": int,
         "value_fen": int, "value_cny": str},
        ...
      ],
      "breakdowns": {                   # released lists this year, top 20 by value
        "trade_mode" | "country" | "county" | "park" | "hs_chapter": [
          {"key": "9610", "parcels": int, "value_fen": int, "value_cny": str,
           "import_parcels": int, "import_value_fen": int,
           "export_parcels": int, "export_value_fen": int},
          ...
        ],
      },
      "refusals": [{"reason": "comparison.amount_mismatch", "count": int}, ...],  # top 10
    }
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from singlewindow.auth.domain import AgencyRole, Principal
from singlewindow.kit.clock import CST
from singlewindow.kit.errors import DomainError, Forbidden, Problem
from singlewindow.kit.money import format_yuan
from singlewindow.recording.domain import Bucket
from singlewindow.recording.rules import day_of
from singlewindow.statistics import indicators, repository, rules
from singlewindow.statistics.domain import (
    COUNTED_BY,
    TARGET_LABELS,
    Facility,
    FacilityKind,
    Target,
    TargetIndicator,
)

# Agencies that see the whole zone (tax officers for the taxes collected); an enterprise sees its
# own figures; other roles nothing.
ZONE_ROLES = frozenset(
    {
        AgencyRole.ZONE_ADMIN,
        AgencyRole.STATISTICS,
        AgencyRole.COMMERCE,
        AgencyRole.CUSTOMS,
        AgencyRole.TAX,
    }
)
TREND_DAYS = 30
BREAKDOWN_DIMENSIONS = ("trade_mode", "country", "county", "park", "hs_chapter")
BREAKDOWN_LIMIT = 20
REFUSAL_LIMIT = 10


def scope_of(principal: Principal) -> str | None:
    """None for the zone-wide roles, the seller code for an enterprise; others are refused."""
    if principal.role in ZONE_ROLES:
        return None
    if principal.is_enterprise and principal.enterprise_code:
        return principal.enterprise_code
    raise Forbidden.of(
        "statistics.role_forbidden", "当前角色无权查看统计", "this role may not read statistics"
    )


def _require_admin(principal: Principal) -> None:
    if principal.role is not AgencyRole.ZONE_ADMIN:
        raise Forbidden.of(
            "auth.role_forbidden", "当前角色无权执行此操作", "this role may not do this"
        )


def dashboard(session: Session, principal: Principal, *, now: datetime) -> dict[str, Any]:
    """The console dashboard, in the shape of the module docstring."""
    ebc = scope_of(principal)
    today = day_of(now)
    start = date(today.year, 1, 1)
    kpis = _kpis(session, ebc, start, today)
    return {
        "as_of": now.astimezone(CST).isoformat(),
        "year": today.year,
        "period": {"start": start.isoformat(), "end": today.isoformat()},
        "scope": {"kind": "zone" if ebc is None else "enterprise", "enterprise_code": ebc},
        "kpis": kpis,
        "targets": [] if ebc is not None else _targets_vs_actual(session, today, kpis),
        "trend": _trend(session, ebc, today),
        "breakdowns": _breakdowns(session, ebc, start, today),
        "refusals": _top_refusals(session, ebc, start, today),
    }


def _kpis(session: Session, ebc: str | None, start: date, end: date) -> dict[str, Any]:
    by: dict[tuple[str, str], tuple[int, int, int]] = {}
    for (bucket, direction), measures in repository.sum_events(
        session,
        ebc_code=ebc,
        start=start,
        end=end,
        buckets=[b.value for b in Bucket],
        group=["bucket", "direction"],
    ):
        by[(bucket, direction)] = measures

    def total(bucket: Bucket, index: int = 0, direction: str | None = None) -> int:
        return sum(m[index] for (b, d), m in by.items() if b == bucket and direction in (None, d))

    histogram: dict[int, int] = {}
    for _, edge, samples, _ in repository.latency_histogram(
        session, scope=ebc or "", start=start, end=end, group=[]
    ):
        histogram[edge] = histogram.get(edge, 0) + samples
    pairs = list(histogram.items())
    active = repository.count_sellers(
        session, ebc_code=ebc, start=start, end=end, bucket=Bucket.RELEASED.value, group=[]
    )
    value = total(Bucket.RELEASED, 1)
    import_value = total(Bucket.RELEASED, 1, "I")
    export_value = total(Bucket.RELEASED, 1, "E")
    taxes = total(Bucket.TAXED, 2)
    matched = total(Bucket.MATCHED)
    return {
        "lists_declared": total(Bucket.DECLARED),
        "parcels_released": total(Bucket.RELEASED),
        "import_parcels_released": total(Bucket.RELEASED, 0, "I"),
        "export_parcels_released": total(Bucket.RELEASED, 0, "E"),
        "trade_value_fen": value,
        "trade_value_cny": format_yuan(value),
        "import_value_fen": import_value,
        "import_value_cny": format_yuan(import_value),
        "export_value_fen": export_value,
        "export_value_cny": format_yuan(export_value),
        "lists_refused": total(Bucket.REFUSED),
        "comparison_pass_rate": rules.rate(matched, matched + total(Bucket.MISMATCHED)),
        "inspection_rate": rules.rate(total(Bucket.INSPECTED), total(Bucket.DECIDED)),
        "release_latency_seconds": {
            "count": sum(histogram.values()),
            "median": rules.percentile(pairs, Decimal("0.5")),
            "p95": rules.percentile(pairs, Decimal("0.95")),
        },
        "taxes_fen": taxes,
        "taxes_cny": format_yuan(taxes),
        "enterprises_filed": len(repository.filed_sellers(session, ebc)),
        "enterprises_active": active[0][1] if active else 0,
    }


def _targets_vs_actual(
    session: Session, today: date, kpis: Mapping[str, Any]
) -> list[dict[str, Any]]:
    open_now: dict[FacilityKind, int] = {}
    for facility in repository.list_facilities(session):
        if facility.is_open_on(today):
            open_now[facility.kind] = open_now.get(facility.kind, 0) + 1
    out = []
    for target in list_targets(session, today.year):
        actual: int | None
        if target.indicator in COUNTED_BY:
            actual = open_now.get(COUNTED_BY[target.indicator], 0)
        elif target.indicator is TargetIndicator.CBEC_TRANSACTION_VALUE:
            actual = int(kpis["trade_value_fen"])
        else:
            actual = None  # the city's whole e-commerce is not declared to this platform
        zh, en, unit = TARGET_LABELS[target.indicator]
        out.append(
            {
                "indicator": target.indicator.value,
                "label_zh": zh,
                "label_en": en,
                "unit": unit,
                "target": target.value,
                "actual": actual,
                "ratio": rules.ratio(actual, target.value),
                "target_year": target.source_year,
            }
        )
    return out


def _trend(session: Session, ebc: str | None, today: date) -> list[dict[str, Any]]:
    first = today - timedelta(days=TREND_DAYS - 1)
    wanted = {Bucket.DECLARED: "declared", Bucket.RELEASED: "released", Bucket.REFUSED: "refused"}
    found: dict[tuple[date, str], tuple[int, int, int]] = {}
    for (day, bucket), measures in repository.sum_events(
        session,
        ebc_code=ebc,
        start=first,
        end=today,
        buckets=[b.value for b in wanted],
        group=["day", "bucket"],
    ):
        found[(day, bucket)] = measures
    trend = []
    for day in rules.days(first, today):
        entry: dict[str, Any] = {"day": day.isoformat()}
        for bucket, name in wanted.items():
            entry[name] = found.get((day, bucket.value), (0, 0, 0))[0]
        value = found.get((day, Bucket.RELEASED.value), (0, 0, 0))[1]
        entry["value_fen"] = value
        entry["value_cny"] = format_yuan(value)
        trend.append(entry)
    return trend


def _breakdowns(
    session: Session, ebc: str | None, start: date, end: date
) -> dict[str, list[dict[str, Any]]]:
    released = [Bucket.RELEASED.value]
    fetched: dict[str, list[tuple[str, str, int, int]]] = {d: [] for d in BREAKDOWN_DIMENSIONS}
    if ebc is None:
        for dim in BREAKDOWN_DIMENSIONS:
            for (key, direction), (p, v, _) in repository.sum_events(
                session, ebc_code=None, start=start, end=end, buckets=released,
                group=[dim, "direction"],
            ):  # fmt: skip
                fetched[dim].append((str(key), str(direction), p, v))
    else:
        # One read of the seller's own rows, folded five ways.
        for key, (p, v, _) in repository.sum_events(
            session, ebc_code=ebc, start=start, end=end, buckets=released,
            group=[*BREAKDOWN_DIMENSIONS, "direction"],
        ):  # fmt: skip
            for i, dim in enumerate(BREAKDOWN_DIMENSIONS):
                fetched[dim].append((str(key[i]), str(key[-1]), p, v))
    return {dim: _fold_breakdown(rows) for dim, rows in fetched.items()}


def _fold_breakdown(rows: Iterable[tuple[str, str, int, int]]) -> list[dict[str, Any]]:
    acc: dict[str, dict[str, int]] = {}
    for key, direction, parcels, value in rows:
        entry = acc.setdefault(
            key,
            {
                "parcels": 0,
                "value_fen": 0,
                "import_parcels": 0,
                "import_value_fen": 0,
                "export_parcels": 0,
                "export_value_fen": 0,
            },
        )
        side = "import" if direction == "I" else "export"
        entry["parcels"] += parcels
        entry["value_fen"] += value
        entry[f"{side}_parcels"] += parcels
        entry[f"{side}_value_fen"] += value
    ranked = sorted(acc.items(), key=lambda kv: (-kv[1]["value_fen"], -kv[1]["parcels"], kv[0]))
    return [
        {
            "key": key,
            "parcels": e["parcels"],
            "value_fen": e["value_fen"],
            "value_cny": format_yuan(e["value_fen"]),
            "import_parcels": e["import_parcels"],
            "import_value_fen": e["import_value_fen"],
            "export_parcels": e["export_parcels"],
            "export_value_fen": e["export_value_fen"],
        }
        for key, e in ranked[:BREAKDOWN_LIMIT]
    ]


def _top_refusals(
    session: Session, ebc: str | None, start: date, end: date
) -> list[dict[str, Any]]:
    counts = repository.refusal_counts(
        session, scope=ebc or "", start=start, end=end, group=["reason"]
    )
    ranked = sorted(((str(k[0]), n) for k, n in counts), key=lambda rn: (-rn[1], rn[0]))
    return [{"reason": r, "count": n} for r, n in ranked[:REFUSAL_LIMIT]]


# --- indicators ------------------------------------------------------------------------------


def indicator(
    session: Session,
    principal: Principal,
    name: str,
    *,
    start: date,
    end: date,
    group_by: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """One indicator over [start, end] (CST days, both included), grouped by at most one time
    grain (day, month, year) and the dimensions the indicator has. An enterprise gets its own
    figures only. Rows are sorted by their group key; columns: `indicator_columns`."""
    which, query = indicators.make_query(
        name, ebc_code=scope_of(principal), start=start, end=end, group_by=group_by
    )
    return indicators.compute(session, which, query)


def indicator_columns(name: str, group_by: Sequence[str] = ()) -> list[str]:
    """The columns of `indicator`'s rows, in order (for exports)."""
    day = date(2000, 1, 1)
    which, query = indicators.make_query(name, ebc_code=None, start=day, end=day, group_by=group_by)
    return indicators.columns_of(which, query)


# --- targets ---------------------------------------------------------------------------------


def list_targets(session: Session, year: int) -> list[Target]:
    """The targets that apply to a year (stored, else an earlier year's, else the seed's)."""
    return rules.targets_for(year, repository.stored_targets(session, year))


def set_targets(
    session: Session, principal: Principal, year: int, values: Mapping[str, int], *, now: datetime
) -> list[Target]:
    """The zone administrator sets some or all targets of a year."""
    _require_admin(principal)
    problems: list[Problem] = []
    if not 2000 <= year <= 2100:
        problems.append(
            Problem("statistics.year_invalid", "年份应在2000至2100之间",
                    "the year is between 2000 and 2100", path="year")
        )  # fmt: skip
    known = {t.value for t in TargetIndicator}
    for name, value in values.items():
        if name not in known:
            problems.append(
                Problem("statistics.target_unknown", "未知目标指标",
                        f"no target {name!r}", path=name)
            )  # fmt: skip
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(
                Problem("statistics.target_invalid", "目标值应为非负整数",
                        "a target is a whole number, 0 or more", path=name)
            )  # fmt: skip
    if problems or not values:
        raise DomainError(
            problems or [Problem("statistics.target_missing", "未给出目标值", "no target given")]
        )
    repository.save_targets(session, year, values, at=now, by=principal.name)
    return list_targets(session, year)


# --- facilities (R11) ------------------------------------------------------------------------


def import_facilities(session: Session, lines: Iterable[str]) -> int:
    """File parks, bases, overseas warehouses and key enterprises from JSONL; re-filing a code
    updates it. All or nothing: every bad line is reported and nothing is written."""
    problems: list[Problem] = []
    found: dict[str, Facility] = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        parsed = rules.parse_facility_line(text, number)
        if isinstance(parsed, Problem):
            problems.append(parsed)
        else:
            found[parsed.code] = parsed
    if problems:
        raise DomainError(problems)
    repository.save_facilities(session, found.values())
    return len(found)


def list_facilities(
    session: Session, principal: Principal, kind: FacilityKind | None = None
) -> list[Facility]:
    """Filed facilities: public registers, readable by every role that reads statistics."""
    scope_of(principal)
    return repository.list_facilities(session, kind)
