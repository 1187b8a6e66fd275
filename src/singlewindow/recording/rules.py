"""Pure rules of the recorder: from one status move to the events and rows it adds."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from singlewindow.declaration.domain import ReturnStatus
from singlewindow.declaration.rules import head_of, lines_of
from singlewindow.kit.clock import CST
from singlewindow.kit.money import yuan_to_fen
from singlewindow.recording.domain import (
    BROAD_BUCKETS,
    LATENCY_EDGES,
    LATENCY_OVERFLOW,
    NARROW_DIMENSIONS,
    ZONE_DIMENSIONS,
    Bucket,
    Dimensions,
    Event,
    Keyed,
    RollupRows,
)

S = ReturnStatus
CNY = "142"  # 人民币 in the customs currency table

_SUBMITTED_FROM = frozenset({"", S.TEMPORARILY_SAVED, S.REFUSED})
_DECIDED_FROM = frozenset({S.STORED, S.CONCLUDED})
_PASSED_TO = frozenset({S.CONCLUDED, S.INSPECTION, S.RELEASED})
# A refusal out of 120 with one of these reasons was a judged comparison (risk and tax refusals
# are judged together with it, so reaching them means the documents agreed).
_JUDGED_PREFIXES = ("comparison.", "risk.", "tax.")


def day_of(at: datetime) -> date:
    """The CST calendar day of a moment: the zone's day, whatever the server's zone."""
    return at.astimezone(CST).date()


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def dimensions_of(
    body: Mapping[str, Any],
    *,
    direction: str,
    trade_mode: str,
    ebc_code: str,
    county: str,
    park: str,
) -> Dimensions:
    """The roll-up dimensions of an inventory document (the standard's JSON form).

    Value counts only lines written in CNY (142): import lists must be in CNY; an export list in
    another currency is counted in parcels but not in value (no exchange rate is applied).
    """
    head = head_of(body)
    lines = lines_of(body)
    total = Decimal(0)
    top_value: Decimal | None = None
    chapter = ""
    for line in lines:
        price = _amount(line.get("totalPrice"))
        if str(line.get("currency") or head.get("currency") or CNY) == CNY:
            total += price
        if top_value is None or price > top_value:
            top_value = price
            chapter = str(line.get("gcode") or "")[:2]
    return Dimensions(
        direction=direction,
        trade_mode=trade_mode or str(head.get("tradeMode") or ""),
        country=str(head.get("country") or ""),
        hs_chapter=chapter,
        county=county,
        park=park,
        ebc_code=ebc_code,
        value_fen=yuan_to_fen(total),
    )


def events_of(
    from_status: str, to_status: str, reasons: Sequence[str], value_fen: int, tax_fen: int = 0
) -> tuple[Event, ...]:
    """The events one status move counts (see `Bucket`)."""
    events: list[Event] = []
    if to_status == S.STORED and from_status in _SUBMITTED_FROM:
        events.append(Event(Bucket.DECLARED, 1, value_fen))
    if from_status == S.STORED:
        if any(r.startswith("comparison.") for r in reasons):
            events.append(Event(Bucket.MISMATCHED, 1, value_fen))
        elif to_status in _PASSED_TO or (
            to_status == S.REFUSED and any(r.startswith(_JUDGED_PREFIXES) for r in reasons)
        ):
            events.append(Event(Bucket.MATCHED, 1, value_fen))
    if to_status in (S.RELEASED, S.INSPECTION) and from_status in _DECIDED_FROM:
        events.append(Event(Bucket.DECIDED, 1, value_fen))
    if to_status == S.INSPECTION:
        events.append(Event(Bucket.INSPECTED, 1, value_fen))
    if to_status == S.RELEASED:
        events.append(Event(Bucket.RELEASED, 1, value_fen))
    if to_status == S.REFUSED:
        events.append(Event(Bucket.REFUSED, 1, value_fen))
    if to_status == S.CLOSED:
        events.append(Event(Bucket.CLOSED, 1, value_fen))
    if tax_fen:
        events.append(Event(Bucket.TAXED, 1 if tax_fen > 0 else -1, 0, tax_fen))
    return tuple(events)


def latency_edge(seconds: int) -> int:
    """The upper edge of the histogram bucket a declaration → release latency falls in."""
    i = bisect.bisect_left(LATENCY_EDGES, max(seconds, 0))
    return LATENCY_EDGES[i] if i < len(LATENCY_EDGES) else LATENCY_OVERFLOW


def refusal_reasons(reasons: Sequence[str]) -> tuple[str, ...]:
    """Each distinct reason of a refusal counts once; a refusal without reasons counts as such."""
    return tuple(dict.fromkeys(reasons)) or ("unspecified",)


def zone_keys(dims: Dimensions, bucket: Bucket) -> Iterable[tuple[str, str]]:
    """(dimension, key) pairs a zone-wide event is rolled into."""
    names = ZONE_DIMENSIONS if bucket in BROAD_BUCKETS else NARROW_DIMENSIONS
    for name in names:
        yield name, "" if name == "total" else str(getattr(dims, name))


def fold(
    rows: Iterable[tuple[tuple[Any, ...], tuple[int, ...]]],
) -> list[tuple[tuple[Any, ...], tuple[int, ...]]]:
    """Sum the measures of rows with equal keys, sorted by key: one statement may not touch a
    row twice (PostgreSQL's ON CONFLICT), and a fixed order keeps concurrent writers from
    deadlocking."""
    summed: dict[tuple[Any, ...], list[int]] = {}
    for key, measures in rows:
        found = summed.get(key)
        if found is None:
            summed[key] = list(measures)
        else:
            for i, m in enumerate(measures):
                found[i] += m
    return [(key, tuple(summed[key])) for key in sorted(summed)]


def rollup_rows(
    dims: Dimensions,
    events: Sequence[Event],
    *,
    day: date,
    stripe: int,
    reasons: Sequence[str] = (),
    latency_seconds: int | None = None,
) -> RollupRows:
    """The rows one move adds to the roll-ups (before folding equal keys)."""
    daily: list[Keyed] = []
    zone: list[Keyed] = []
    for e in events:
        measures = (e.parcels, e.value_fen, e.tax_fen)
        daily.append(
            (
                (dims.ebc_code, day, e.bucket.value, dims.direction, dims.trade_mode,
                 dims.country, dims.hs_chapter, dims.county, dims.park),
                measures,
            )
        )  # fmt: skip
        for name, key in zone_keys(dims, e.bucket):
            # Only the narrow dimensions take every move of a day; the others are spread by key.
            lane = stripe if name in NARROW_DIMENSIONS else 0
            zone.append(((name, e.bucket.value, day, key, dims.direction, lane), measures))
    latency: list[Keyed] = []
    if latency_seconds is not None and any(e.bucket is Bucket.RELEASED for e in events):
        edge = latency_edge(latency_seconds)
        seconds = max(latency_seconds, 0)
        for scope in dict.fromkeys(("", dims.ebc_code)):
            latency.append(
                ((scope, day, dims.direction, dims.trade_mode, edge, stripe), (1, seconds))
            )
    refusals: list[Keyed] = []
    if any(e.bucket is Bucket.REFUSED for e in events):
        for reason in refusal_reasons(reasons):
            for scope in dict.fromkeys(("", dims.ebc_code)):
                refusals.append(((scope, day, dims.direction, reason[:100], stripe), (1,)))
    return RollupRows(tuple(daily), tuple(zone), tuple(latency), tuple(refusals))
