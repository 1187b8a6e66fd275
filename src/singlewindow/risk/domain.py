"""Facts and decisions of the first-cut risk rules: negative lists and inspection selection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the risk decision is what it is: a stable code, messages, where, and the facts."""

    code: str
    message_zh: str
    message_en: str
    document: str = ""
    field: str = ""
    facts: tuple[tuple[str, str], ...] = ()
    error_code: int | None = None


@dataclass(frozen=True, slots=True)
class RiskConfig:
    """What the zone configured. Rates are fractions by credit class (海关总署令第282号 classes:
    advanced, certified, regular, dishonest, seriously_dishonest); a class not in the table is
    judged at `default_credit_class`'s rate."""

    seed: str
    rates_by_credit_class: Mapping[str, Decimal]
    negative_hs_prefixes: tuple[tuple[str, str], ...] = ()  # (HS prefix, why)
    negative_items: tuple[tuple[str, str], ...] = ()  # (ebc_code, item_no)
    negative_enterprises: frozenset[str] = frozenset()
    default_credit_class: str = "regular"

    def __post_init__(self) -> None:
        rates = dict(self.rates_by_credit_class)
        for name, rate in rates.items():
            if not Decimal(0) <= rate <= Decimal(1):
                raise ValueError(f"inspection rate of {name} is {rate}, not in [0, 1]")
        if self.default_credit_class not in rates:
            raise ValueError(
                f"no inspection rate for the default class {self.default_credit_class}"
            )
        object.__setattr__(self, "rates_by_credit_class", MappingProxyType(rates))

    def rate_for(self, credit_class: str) -> Decimal:
        return self.rates_by_credit_class.get(
            credit_class, self.rates_by_credit_class[self.default_credit_class]
        )


@dataclass(frozen=True, slots=True)
class RiskFacts:
    """One inventory as the risk rules see it. `key` identifies it stably (its invtNo), so a
    replay draws the same number; `parties` are every enterprise code it names."""

    key: str
    ebc_code: str
    credit_class: str
    hs_codes: tuple[str, ...]
    item_nos: tuple[str, ...]
    parties: frozenset[str]
    document: str = ""  # CEB621 or CEB603, for the reasons


@dataclass(frozen=True, slots=True)
class RiskDecision:
    refused: bool
    inspect: bool
    reasons: tuple[Reason, ...]
    draw: Decimal  # uniform in [0, 1), from the seed and the key
    rate: Decimal  # the inspection rate of the seller's credit class
