"""One indicator over a period, grouped as asked: the rows behind reports and exports.

Each indicator reads the roll-ups only; `docs/indicators.md` defines what is counted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from singlewindow.kit.errors import Problem
from singlewindow.kit.money import format_yuan
from singlewindow.recording.domain import Bucket
from singlewindow.statistics import repository, rules
from singlewindow.statistics.domain import Indicator, StatisticsError

GRAINS = ("day", "month", "year")
EVENT_DIMENSIONS = frozenset(
    {"direction", "trade_mode", "country", "hs_chapter", "county", "park", "ebc_code"}
)
MAX_DAYS = 3700  # ten years and a little

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Query:
    ebc_code: str | None  # None: the whole zone
    start: date
    end: date
    grain: str | None
    dims: tuple[str, ...]

    @property
    def scope(self) -> str:
        return self.ebc_code or ""

    def with_day(self, *extra: str) -> list[str]:
        return (["day"] if self.grain else []) + list(self.dims) + list(extra)

    def out_key(self, key: Sequence[Any]) -> tuple[Any, ...]:
        """From a fetched key (day first when grouped by time) to the output key."""
        if not self.grain:
            return tuple(key)
        return (rules.period_key(key[0], self.grain), *key[1:])

    def columns(self) -> list[str]:
        return ([self.grain] if self.grain else []) + list(self.dims)


def _counts(bucket: Bucket, label: str) -> Callable[[Session, Query], list[Row]]:
    def compute(session: Session, q: Query) -> list[Row]:
        sums: dict[tuple[Any, ...], int] = {}
        for key, (parcels, _, _) in _events(session, q, {bucket.value}):
            k = q.out_key(key)
            sums[k] = sums.get(k, 0) + parcels
        return [_row(q, k, {label: v}) for k, v in sorted(sums.items())]

    return compute


def _events(session: Session, q: Query, buckets: set[str], *extra: str) -> list[Any]:
    return repository.sum_events(
        session,
        ebc_code=q.ebc_code,
        start=q.start,
        end=q.end,
        buckets=buckets,
        group=q.with_day(*extra),
    )


def _row(q: Query, key: tuple[Any, ...], measures: dict[str, Any]) -> Row:
    return dict(zip(q.columns(), key, strict=True)) | measures


def _trade_value(session: Session, q: Query) -> list[Row]:
    sums: dict[tuple[Any, ...], list[int]] = {}
    for key, (parcels, value, _) in _events(session, q, {Bucket.RELEASED.value}):
        acc = sums.setdefault(q.out_key(key), [0, 0])
        acc[0] += parcels
        acc[1] += value
    return [
        _row(q, k, {"parcels": p, "value_fen": v, "value_cny": format_yuan(v)})
        for k, (p, v) in sorted(sums.items())
    ]


def _taxes(session: Session, q: Query) -> list[Row]:
    sums: dict[tuple[Any, ...], list[int]] = {}
    for key, (bills, _, tax) in _events(session, q, {Bucket.TAXED.value}):
        acc = sums.setdefault(q.out_key(key), [0, 0])
        acc[0] += bills
        acc[1] += tax
    return [
        _row(q, k, {"bills": b, "tax_fen": t, "tax_cny": format_yuan(t)})
        for k, (b, t) in sorted(sums.items())
    ]


def _rate(
    numerator: set[Bucket], denominator: set[Bucket]
) -> Callable[[Session, Query], list[Row]]:
    def compute(session: Session, q: Query) -> list[Row]:
        wanted = {b.value for b in numerator | denominator}
        sums: dict[tuple[Any, ...], list[int]] = {}
        for key, (parcels, _, _) in _events(session, q, wanted, "bucket"):
            acc = sums.setdefault(q.out_key(key[:-1]), [0, 0])
            if key[-1] in {b.value for b in numerator}:
                acc[0] += parcels
            if key[-1] in {b.value for b in denominator}:
                acc[1] += parcels
        return [
            _row(q, k, {"numerator": n, "denominator": d, "rate": rules.rate(n, d)})
            for k, (n, d) in sorted(sums.items())
        ]

    return compute


def _latency(session: Session, q: Query) -> list[Row]:
    hist: dict[tuple[Any, ...], dict[int, list[int]]] = {}
    fetched = repository.latency_histogram(
        session, scope=q.scope, start=q.start, end=q.end, group=q.with_day()
    )
    for key, edge, samples, seconds in fetched:
        acc = hist.setdefault(q.out_key(key), {}).setdefault(edge, [0, 0])
        acc[0] += samples
        acc[1] += seconds
    rows = []
    for k, by_edge in sorted(hist.items()):
        n = sum(v[0] for v in by_edge.values())
        total = sum(v[1] for v in by_edge.values())
        pairs = [(edge, v[0]) for edge, v in by_edge.items()]
        rows.append(
            _row(
                q,
                k,
                {
                    "samples": n,
                    "median_seconds": rules.percentile(pairs, Decimal("0.5")),
                    "p95_seconds": rules.percentile(pairs, Decimal("0.95")),
                    "mean_seconds": (2 * total + n) // (2 * n) if n else None,
                },
            )
        )
    return rows


def _refusals(session: Session, q: Query) -> list[Row]:
    sums: dict[tuple[Any, ...], int] = {}
    fetched = repository.refusal_counts(
        session, scope=q.scope, start=q.start, end=q.end, group=q.with_day("reason")
    )
    for key, count in fetched:
        k = q.out_key(key)
        sums[k] = sums.get(k, 0) + count
    names = [*q.columns(), "reason"]
    return [dict(zip(names, k, strict=True)) | {"refusals": v} for k, v in sorted(sums.items())]


def _active(session: Session, q: Query) -> list[Row]:
    sellers: dict[tuple[Any, ...], set[str]] = {}
    rows = _events(session, q, {Bucket.RELEASED.value}, "ebc_code")
    for key, (parcels, _, _) in rows:
        if parcels > 0:
            sellers.setdefault(q.out_key(key[:-1]), set()).add(str(key[-1]))
    return [_row(q, k, {"enterprises": len(v)}) for k, v in sorted(sellers.items())]


def _filed(session: Session, q: Query) -> list[Row]:
    counts: dict[tuple[Any, ...], int] = {}
    for code, county, park in repository.filed_sellers(session, q.ebc_code):
        values = {"county": county, "park": park, "ebc_code": code}
        k = tuple(values[d] for d in q.dims)
        counts[k] = counts.get(k, 0) + 1
    return [_row(q, k, {"enterprises": v}) for k, v in sorted(counts.items())]


IND = Indicator
COMPUTE: dict[Indicator, Callable[[Session, Query], list[Row]]] = {
    IND.LISTS_DECLARED: _counts(Bucket.DECLARED, "lists"),
    IND.PARCELS_RELEASED: _counts(Bucket.RELEASED, "parcels"),
    IND.LISTS_REFUSED: _counts(Bucket.REFUSED, "lists"),
    IND.LISTS_INSPECTED: _counts(Bucket.INSPECTED, "lists"),
    IND.LISTS_CLOSED: _counts(Bucket.CLOSED, "lists"),
    IND.TRADE_VALUE: _trade_value,
    IND.TAXES: _taxes,
    IND.COMPARISON_PASS_RATE: _rate({Bucket.MATCHED}, {Bucket.MATCHED, Bucket.MISMATCHED}),
    IND.INSPECTION_RATE: _rate({Bucket.INSPECTED}, {Bucket.DECIDED}),
    IND.RELEASE_LATENCY: _latency,
    IND.REFUSALS_BY_REASON: _refusals,
    IND.ENTERPRISES_ACTIVE: _active,
    IND.ENTERPRISES_FILED: _filed,
}

# Dimensions each indicator can be grouped by, besides one time grain.
_ALLOWED: dict[Indicator, frozenset[str]] = {
    IND.RELEASE_LATENCY: frozenset({"direction", "trade_mode"}),
    IND.REFUSALS_BY_REASON: frozenset({"direction"}),
    IND.ENTERPRISES_ACTIVE: EVENT_DIMENSIONS - {"ebc_code"},
    IND.ENTERPRISES_FILED: frozenset({"county", "park"}),
}

MEASURES: dict[Indicator, tuple[str, ...]] = {
    IND.LISTS_DECLARED: ("lists",),
    IND.PARCELS_RELEASED: ("parcels",),
    IND.LISTS_REFUSED: ("lists",),
    IND.LISTS_INSPECTED: ("lists",),
    IND.LISTS_CLOSED: ("lists",),
    IND.TRADE_VALUE: ("parcels", "value_fen", "value_cny"),
    IND.TAXES: ("bills", "tax_fen", "tax_cny"),
    IND.COMPARISON_PASS_RATE: ("numerator", "denominator", "rate"),
    IND.INSPECTION_RATE: ("numerator", "denominator", "rate"),
    IND.RELEASE_LATENCY: ("samples", "median_seconds", "p95_seconds", "mean_seconds"),
    IND.REFUSALS_BY_REASON: ("reason", "refusals"),
    IND.ENTERPRISES_ACTIVE: ("enterprises",),
    IND.ENTERPRISES_FILED: ("enterprises",),
}


def _invalid(code: str, zh: str, en: str, path: str) -> StatisticsError:
    return StatisticsError([Problem(code, zh, en, path=path)])


def make_query(
    name: str, *, ebc_code: str | None, start: date, end: date, group_by: Sequence[str]
) -> tuple[Indicator, Query]:
    """Check an indicator request and turn it into a query (raises StatisticsError)."""
    try:
        which = Indicator(name)
    except ValueError:
        raise _invalid(
            "statistics.indicator_unknown", "未知统计指标", f"no indicator {name!r}", "name"
        ) from None
    if end < start or (end - start).days > MAX_DAYS:
        raise _invalid(
            "statistics.period_invalid",
            "统计期间无效（起始不晚于截止，且不超过十年）",
            "the period must start no later than it ends and span at most ten years",
            "start",
        )
    grains = [g for g in group_by if g in GRAINS]
    dims = [g for g in group_by if g not in GRAINS]
    allowed = _ALLOWED.get(which, EVENT_DIMENSIONS)
    bad = [d for d in dims if d not in allowed] + grains[1:]
    if which is IND.ENTERPRISES_FILED:
        bad += grains
    if bad or len(set(dims)) != len(dims):
        raise _invalid(
            "statistics.group_by_invalid",
            f"该指标不能按 {', '.join(bad) or '重复的维度'} 分组",
            f"{which.value} cannot be grouped by {', '.join(bad) or 'a repeated dimension'}",
            "group_by",
        )
    return which, Query(ebc_code, start, end, grains[0] if grains else None, tuple(dims))


def compute(session: Session, which: Indicator, q: Query) -> list[Row]:
    return COMPUTE[which](session, q)


def columns_of(which: Indicator, q: Query) -> list[str]:
    return q.columns() + list(MEASURES[which])
