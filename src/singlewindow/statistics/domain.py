"""The zone plan's yearly targets, the facilities of R11 (parks, bases, overseas warehouses, key
enterprises), and the indicators the statistics offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from singlewindow.kit.errors import DomainError


class TargetIndicator(StrEnum):
    TRAINING_BASES = "training_bases"  # 跨境电子商务培训孵化基地
    DEMONSTRATION_PARKS = "demonstration_parks"  # 跨境电子商务示范园区
    PUBLIC_OVERSEAS_WAREHOUSES = "public_overseas_warehouses"  # 公共海外仓
    KEY_ENTERPRISES = "key_enterprises"  # 重点扶持跨境电子商务企业
    CBEC_TRANSACTION_VALUE = "cbec_transaction_value"  # 跨境电子商务年交易额 (fen)
    ECOMMERCE_TRANSACTION_VALUE = "ecommerce_transaction_value"  # 全市电子商务年交易额 (fen)


TARGET_LABELS: dict[TargetIndicator, tuple[str, str, str]] = {
    TargetIndicator.TRAINING_BASES: ("培训孵化基地", "training and incubation bases", "count"),
    TargetIndicator.DEMONSTRATION_PARKS: ("示范园区", "demonstration parks", "count"),
    TargetIndicator.PUBLIC_OVERSEAS_WAREHOUSES: (
        "公共海外仓",
        "public overseas warehouses",
        "count",
    ),
    TargetIndicator.KEY_ENTERPRISES: ("重点扶持企业", "key enterprises supported", "count"),
    TargetIndicator.CBEC_TRANSACTION_VALUE: (
        "跨境电子商务年交易额",
        "cross-border e-commerce transaction value",
        "fen",
    ),
    TargetIndicator.ECOMMERCE_TRANSACTION_VALUE: (
        "全市电子商务年交易额",
        "e-commerce transaction value, whole city",
        "fen",
    ),
}

_YI_FEN = 100_000_000 * 100  # 1 亿元 in fen

# The zone plan (许昌 implementation plan, 二、总体目标), its 2017 and 2018 targets. For a year
# without its own stored targets the latest earlier stored year applies, else 2018's.
SEED_TARGETS: dict[int, dict[TargetIndicator, int]] = {
    2017: {
        TargetIndicator.TRAINING_BASES: 2,
        TargetIndicator.DEMONSTRATION_PARKS: 2,
        TargetIndicator.PUBLIC_OVERSEAS_WAREHOUSES: 2,
        TargetIndicator.KEY_ENTERPRISES: 30,
        TargetIndicator.CBEC_TRANSACTION_VALUE: 100 * _YI_FEN,
        TargetIndicator.ECOMMERCE_TRANSACTION_VALUE: 500 * _YI_FEN,
    },
    2018: {
        TargetIndicator.TRAINING_BASES: 4,
        TargetIndicator.DEMONSTRATION_PARKS: 5,
        TargetIndicator.PUBLIC_OVERSEAS_WAREHOUSES: 5,
        TargetIndicator.KEY_ENTERPRISES: 50,
        TargetIndicator.CBEC_TRANSACTION_VALUE: 120 * _YI_FEN,
        TargetIndicator.ECOMMERCE_TRANSACTION_VALUE: 650 * _YI_FEN,
    },
}
DEFAULT_TARGET_YEAR = 2018


class FacilityKind(StrEnum):
    DEMONSTRATION_PARK = "demonstration_park"  # 示范园区
    TRAINING_BASE = "training_base"  # 培训孵化基地
    OVERSEAS_WAREHOUSE = "overseas_warehouse"  # 公共海外仓
    KEY_ENTERPRISE = "key_enterprise"  # 重点扶持企业


# Which facility kind counts toward which target.
COUNTED_BY: dict[TargetIndicator, FacilityKind] = {
    TargetIndicator.TRAINING_BASES: FacilityKind.TRAINING_BASE,
    TargetIndicator.DEMONSTRATION_PARKS: FacilityKind.DEMONSTRATION_PARK,
    TargetIndicator.PUBLIC_OVERSEAS_WAREHOUSES: FacilityKind.OVERSEAS_WAREHOUSE,
    TargetIndicator.KEY_ENTERPRISES: FacilityKind.KEY_ENTERPRISE,
}


@dataclass(frozen=True, slots=True)
class Facility:
    """A park, base, public overseas warehouse or key enterprise filed with the zone."""

    code: str
    kind: FacilityKind
    name: str
    filed_on: date
    closed_on: date | None = None
    county: str = ""
    park: str = ""
    enterprise_code: str = ""  # operator, or the key enterprise itself
    country: str = ""  # where an overseas warehouse stands
    industry: str = ""  # the county's featured industry it serves (发制品, 蜂产品 …)

    def is_open_on(self, day: date) -> bool:
        return self.filed_on <= day and (self.closed_on is None or day < self.closed_on)


@dataclass(frozen=True, slots=True)
class Target:
    indicator: TargetIndicator
    value: int
    source_year: int  # the year whose row applies (the year asked, an earlier one, or seed)


class Indicator(StrEnum):
    """Indicators `indicator()` answers; definitions in docs/indicators.md."""

    LISTS_DECLARED = "lists_declared"
    PARCELS_RELEASED = "parcels_released"
    TRADE_VALUE = "trade_value"
    LISTS_REFUSED = "lists_refused"
    LISTS_INSPECTED = "lists_inspected"
    LISTS_CLOSED = "lists_closed"
    COMPARISON_PASS_RATE = "comparison_pass_rate"  # noqa: S105 (a name, not a secret)
    INSPECTION_RATE = "inspection_rate"
    RELEASE_LATENCY = "release_latency"
    REFUSALS_BY_REASON = "refusals_by_reason"
    TAXES = "taxes"
    ENTERPRISES_ACTIVE = "enterprises_active"
    ENTERPRISES_FILED = "enterprises_filed"


class StatisticsError(DomainError):
    """A statistics request that cannot be answered as asked."""
