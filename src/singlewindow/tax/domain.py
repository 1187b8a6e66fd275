"""Facts and decisions of the import retail tax (跨境电商零售进口税收, SPEC §6)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from singlewindow.kit.money import Fen


class CtRule(StrEnum):
    """How consumption tax applies to a tariff line."""

    NONE = "none"
    AD_VALOREM = "ad_valorem"  # always, at ct_rate
    # 财税〔2016〕103号: only 高档化妆品, i.e. a dutiable price ≥ 10 CNY per ml or g or
    # ≥ 15 CNY per 片(张).
    COSMETICS_HIGH_END = "cosmetics_high_end"
    # 财税〔2006〕33号: only 高档手表, a dutiable price ≥ 10,000 CNY per piece.
    WATCHES_HIGH_END = "watches_high_end"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the tax decision is what it is: a stable code, messages, where, and the facts."""

    code: str
    message_zh: str
    message_en: str
    document: str = ""
    field: str = ""
    facts: tuple[tuple[str, str], ...] = ()
    # The customs standard's negative returnStatus for the same refusal (SPEC §3.3), if any.
    error_code: int | None = None


@dataclass(frozen=True, slots=True)
class TaxRate:
    """Rates of one 10-digit HS code; fractions (0.13 = 13 %)."""

    hs_code: str
    vat_rate: Decimal
    ct_rate: Decimal
    ct_rule: str  # a CtRule value; str so stored tables map straight onto it
    mfn_rate: Decimal
    source: str = ""
    confirmed: bool = False

    def __post_init__(self) -> None:
        CtRule(self.ct_rule)  # raises ValueError on an unknown rule
        for name in ("vat_rate", "ct_rate", "mfn_rate"):
            value = getattr(self, name)
            if not Decimal(0) <= value < Decimal(1):
                raise ValueError(f"{self.hs_code}: {name} {value} is not in [0, 1)")


@dataclass(frozen=True, slots=True)
class RateTable:
    """The rates in force, by HS code."""

    rates: Mapping[str, TaxRate] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rates", MappingProxyType(dict(self.rates)))

    def get(self, hs_code: str) -> TaxRate | None:
        return self.rates.get(hs_code)

    def __len__(self) -> int:
        return len(self.rates)


@dataclass(frozen=True, slots=True)
class TaxableLine:
    """One CEB621 goods line as the tax sees it (`gcode`, `totalPrice`, `qty`, `qty1`, `unit1`)."""

    gnum: int
    hs_code: str
    total_price: Decimal
    qty: Decimal
    qty1: Decimal
    unit1: str
    name: str


@dataclass(frozen=True, slots=True)
class LineTax:
    """A line's share of the inventory's taxes (the CEB816 tax bill's body)."""

    gnum: int
    taxable_value_fen: Fen
    tariff_fen: Fen
    vat_fen: Fen
    consumption_tax_fen: Fen


@dataclass(frozen=True, slots=True)
class TaxAssessment:
    """The tax of one inventory. `allowed` False means refused for the retail channel; the
    amounts then show what the channel would have levied at the preferential rates."""

    dutiable_value_fen: Fen
    tariff_fen: Fen
    vat_fen: Fen
    consumption_tax_fen: Fen
    total_fen: Fen
    preferential: bool
    allowed: bool
    reasons: tuple[Reason, ...]
    lines: tuple[LineTax, ...]
