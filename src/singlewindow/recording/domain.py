"""What the roll-up recorder counts: event buckets, an inventory's dimensions, latency edges."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Bucket(StrEnum):
    """One countable event of an inventory's life; a status move yields zero or more of them."""

    DECLARED = "declared"  # submitted to customs: → 120 from nothing, 暂存 or 退单
    MATCHED = "matched"  # left 120 with the three documents agreeing
    MISMATCHED = "mismatched"  # left 120 refused for a comparison.* reason
    DECIDED = "decided"  # customs decision to release or inspect: 120/399 → 800/500
    INSPECTED = "inspected"  # selected for inspection: → 500
    RELEASED = "released"  # → 800; the value of trade is counted here
    REFUSED = "refused"  # → 100, whatever the reason
    CLOSED = "closed"  # → 899 (export departed)
    TAXED = "taxed"  # a tax bill written (+) or voided (−) on this move


# Dimensions the zone-wide roll-up keeps per day. RELEASED goes into all of them (the dashboard's
# breakdowns); the other buckets only into "total" and "trade_mode", to keep the hot path short.
ZONE_DIMENSIONS = ("total", "trade_mode", "country", "hs_chapter", "county", "park", "ebc_code")
NARROW_DIMENSIONS = ("total", "trade_mode")
BROAD_BUCKETS = frozenset({Bucket.RELEASED})

# Zone-wide rows are spread over this many stripes (inventory id modulo), so concurrent clearance
# transactions on PostgreSQL do not all wait for the one row of "today"; readers sum the stripes.
STRIPES = 4

# Upper edges (seconds) of the declaration → release histogram. Percentiles are reported as the
# edge of the bucket holding the nearest-rank sample, so a figure is exact to the bucket width.
LATENCY_EDGES: tuple[int, ...] = (
    1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 14400, 21600, 28800,
    43200, 86400, 129600, 172800, 259200, 345600, 432000, 604800, 1209600, 2592000, 7776000,
)  # fmt: skip
LATENCY_OVERFLOW = 2_147_483_647  # later than 90 days


@dataclass(frozen=True, slots=True)
class Dimensions:
    """Where an inventory falls in the roll-ups; fixed at the time of each move."""

    direction: str  # I import, E export
    trade_mode: str  # 9610, 9710, 9810, 1210, 1239 …
    country: str  # export: 运抵国; import: 起运国 (head `country`)
    hs_chapter: str  # first 2 digits of the gcode of the line of highest value
    county: str  # from the seller's (ebc) filing
    park: str  # from the seller's (ebc) filing
    ebc_code: str
    value_fen: int  # Σ totalPrice of the CNY lines, rounded half-up once per inventory


@dataclass(frozen=True, slots=True)
class Event:
    bucket: Bucket
    parcels: int
    value_fen: int
    tax_fen: int = 0


Keyed = tuple[tuple[object, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class RollupRows:
    """What one move adds to each roll-up table: (key columns, measures) in table column order."""

    daily: tuple[Keyed, ...]  # (ebc, day, bucket, direction, mode, country, chapter, county, park)
    zone: tuple[Keyed, ...]  # (dim, bucket, day, key, direction, stripe)
    latency: tuple[Keyed, ...]  # (scope, day, direction, trade_mode, le_seconds, stripe)
    refusals: tuple[Keyed, ...]  # (scope, day, direction, reason, stripe)
