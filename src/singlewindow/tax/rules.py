"""Import retail tax of one inventory (跨境电商零售进口税收, SPEC §6).

Covers 财关税〔2016〕18号 and 〔2018〕49号: the dutiable value is goods + freight + insurance (a
`discount` is a non-cash payment and is NOT deducted; tax is not included); within the single
(5,000 CNY) and yearly (26,000 CNY) limits, both inclusive, the tariff is 0 and VAT and consumption
tax are due at 70 % of the statutory amount. An order of just one item over 5,000 CNY may still
use the channel at full tariff (MFN), VAT and CT, counting toward the yearly total; anything else
over a limit is refused for the channel. Excludes general-trade (一般贸易) assessment of refused
goods and export taxes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, localcontext
from functools import cache
from importlib import resources

from singlewindow.kit.money import Fen, format_yuan, yuan_to_fen
from singlewindow.tax.domain import (
    CtRule,
    LineTax,
    RateTable,
    Reason,
    TaxableLine,
    TaxAssessment,
    TaxRate,
)

SINGLE_LIMIT_FEN: Fen = 500_000  # 财关税〔2018〕49号 art.1
ANNUAL_LIMIT_FEN: Fen = 2_600_000  # 财关税〔2018〕49号 art.1
PREFERENTIAL_SHARE = Decimal("0.7")  # 财关税〔2016〕18号 art.3: 70 % of the statutory VAT and CT
# 财税〔2016〕103号: 高档化妆品 from 10 CNY per ml or g, or 15 CNY per 片(张), dutiable price.
COSMETICS_THRESHOLDS: Mapping[str, Decimal] = {
    "mass_g": Decimal(10),
    "volume_ml": Decimal(10),
    "sheet": Decimal(15),
}
WATCH_THRESHOLD = Decimal(10_000)  # 财税〔2006〕33号: 高档手表 from 10,000 CNY per piece

_DOC = "CEB621"
_PRECISION = 50  # exact enough for N19,5 amounts divided by rates and shares


@dataclass(frozen=True, slots=True)
class UnitMeasure:
    """What a legal unit (`unit1`) measures for the high-end thresholds, and its factor to
    grams, millilitres or sheets (千克 → 1000 g)."""

    code: str
    measure: str
    factor: Decimal


# code -> (zh, en, field, standard's error code); messages take the reason's facts.
_MESSAGES: Mapping[str, tuple[str, str, str, int | None]] = {
    "tax.no_rate": (
        "清单商品编码 {hs_code}（第{gnum}项）没有税率，不能计税",
        "No tax rate for HS code {hs_code} (line {gnum}); the inventory cannot be taxed",
        "gcode",
        None,
    ),
    "tax.single_limit_exceeded": (
        "完税价格 {dutiable_value} 元超过单次交易限值 {limit} 元（订单共 {items} 件）",
        "Dutiable value {dutiable_value} CNY is over the single-transaction limit of "
        "{limit} CNY (order of {items} items)",
        "totalPrice",
        -621005,
    ),
    "tax.annual_quota_exceeded": (
        "订购人年度已用 {used} 元，加本次完税价格 {dutiable_value} 元将超过年度限值 {limit} 元",
        "The buyer has used {used} CNY this year; {dutiable_value} CNY more would exceed the "
        "yearly limit of {limit} CNY",
        "buyerIdNumber",
        -621018,
    ),
    "tax.single_item_full_tax": (
        "单件不可分割商品完税价格 {dutiable_value} 元超过单次限值，"
        "按货物税率全额征收关税、增值税和消费税",
        "A single indivisible item of {dutiable_value} CNY is over the single limit: full "
        "tariff, VAT and consumption tax at goods rates",
        "totalPrice",
        None,
    ),
    "tax.high_end_measure_unknown": (
        "第{gnum}项（{hs_code}）的法定数量 {qty1} 或单位 {unit1} 无法判断是否为高档消费品",
        "Line {gnum} ({hs_code}): legal quantity {qty1} in unit {unit1} cannot tell whether "
        "the goods are high-end for consumption tax",
        "qty1",
        None,
    ),
}


def _reason(code: str, **facts: object) -> Reason:
    zh, en, field, error_code = _MESSAGES[code]
    text = {k: str(v) for k, v in facts.items()}
    return Reason(
        code=code,
        message_zh=zh.format(**text),
        message_en=en.format(**text),
        document=_DOC,
        field=field,
        facts=tuple(text.items()),
        error_code=error_code,
    )


def round_tax_to_fen(amount: Decimal) -> Fen:
    """Each tax of the inventory is computed on its whole dutiable value and rounded half-up to
    the fen once (customs rounding of computed money; the CEB816 rounding rule itself is not
    published, SPEC §6)."""
    return yuan_to_fen(amount)


def quota_after(used_fen: Fen, delta_fen: Fen) -> Fen:
    """The yearly quota used after adding (or giving back, delta < 0) an amount; never negative."""
    return max(0, used_fen + delta_fen)


def remaining_quota(used_fen: Fen, annual_limit_fen: Fen = ANNUAL_LIMIT_FEN) -> Fen:
    """What the buyer may still spend this year; never negative."""
    return max(0, annual_limit_fen - used_fen)


def is_within_single_limit(
    dutiable_value_fen: Fen, single_limit_fen: Fen = SINGLE_LIMIT_FEN
) -> bool:
    return dutiable_value_fen <= single_limit_fen


def is_within_annual_quota(
    used_fen: Fen, dutiable_value_fen: Fen, annual_limit_fen: Fen = ANNUAL_LIMIT_FEN
) -> bool:
    return used_fen + dutiable_value_fen <= annual_limit_fen


def assess_import_tax(
    lines: Sequence[TaxableLine],
    *,
    freight: Decimal,
    insured_fee: Decimal,
    buyer_used_fen: Fen,
    rates: RateTable,
    items: int | None = None,
    single_limit_fen: Fen = SINGLE_LIMIT_FEN,
    annual_limit_fen: Fen = ANNUAL_LIMIT_FEN,
    units: Mapping[str, UnitMeasure] | None = None,
) -> TaxAssessment:
    """Tax of one import inventory. `items` is the number of items in the order (default: the
    sum of the lines' `qty`); `buyer_used_fen` the buyer's yearly total before this order."""
    measures = default_units() if units is None else units
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        goods = sum((line.total_price for line in lines), Decimal(0))
        dutiable = goods + freight + insured_fee
        dutiable_fen = yuan_to_fen(dutiable)
        values = _line_values(lines, goods, freight + insured_fee)
        count = Decimal(items) if items is not None else sum((ln.qty for ln in lines), Decimal(0))

        reasons: list[Reason] = []
        found: list[TaxRate] = []
        for line in lines:
            rate = rates.get(line.hs_code.strip())
            if rate is None:
                reasons.append(_reason("tax.no_rate", hs_code=line.hs_code, gnum=line.gnum))
            else:
                found.append(rate)
        priced = len(found) == len(lines)

        within_single = is_within_single_limit(dutiable_fen, single_limit_fen)
        within_annual = is_within_annual_quota(buyer_used_fen, dutiable_fen, annual_limit_fen)
        single_item_path = not within_single and count == 1 and within_annual
        figures = {
            "dutiable_value": format_yuan(dutiable_fen),
            "items": _plain(count),
        }
        if single_item_path:
            reasons.append(
                _reason("tax.single_item_full_tax", **figures, limit=format_yuan(single_limit_fen))
            )
        elif not within_single:
            reasons.append(
                _reason("tax.single_limit_exceeded", **figures, limit=format_yuan(single_limit_fen))
            )
        if not within_annual:
            reasons.append(
                _reason(
                    "tax.annual_quota_exceeded",
                    used=format_yuan(buyer_used_fen),
                    dutiable_value=format_yuan(dutiable_fen),
                    limit=format_yuan(annual_limit_fen),
                    remaining=format_yuan(remaining_quota(buyer_used_fen, annual_limit_fen)),
                )
            )
        preferential = not single_item_path

        tariffs: list[Decimal] = []
        vats: list[Decimal] = []
        cts: list[Decimal] = []
        if priced:
            for line, value, rate in zip(lines, values, found, strict=True):
                ct_rate = _ct_rate(line, value, rate, measures, reasons)
                tariff = Decimal(0) if preferential else value * rate.mfn_rate
                ct = (value + tariff) / (1 - ct_rate) * ct_rate
                vat = (value + tariff + ct) * rate.vat_rate
                if preferential:
                    ct *= PREFERENTIAL_SHARE
                    vat *= PREFERENTIAL_SHARE
                tariffs.append(tariff)
                vats.append(vat)
                cts.append(ct)
        else:
            tariffs = vats = cts = [Decimal(0)] * len(lines)

        allowed = not any(r.code != "tax.single_item_full_tax" for r in reasons)
        tariff_fen = round_tax_to_fen(sum(tariffs, Decimal(0)))
        vat_fen = round_tax_to_fen(sum(vats, Decimal(0)))
        ct_fen = round_tax_to_fen(sum(cts, Decimal(0)))
        line_taxes = tuple(
            LineTax(line.gnum, v, t, a, c)
            for line, v, t, a, c in zip(
                lines,
                allocate_fen(dutiable_fen, values),
                allocate_fen(tariff_fen, tariffs),
                allocate_fen(vat_fen, vats),
                allocate_fen(ct_fen, cts),
                strict=True,
            )
        )
    return TaxAssessment(
        dutiable_value_fen=dutiable_fen,
        tariff_fen=tariff_fen,
        vat_fen=vat_fen,
        consumption_tax_fen=ct_fen,
        total_fen=tariff_fen + vat_fen + ct_fen,
        preferential=preferential,
        allowed=allowed,
        reasons=tuple(reasons),
        lines=line_taxes,
    )


def _line_values(lines: Sequence[TaxableLine], goods: Decimal, extra: Decimal) -> list[Decimal]:
    """Each line's dutiable value: its total price plus its share of freight and insurance,
    shared by value (equally when every line is free of charge)."""
    if goods > 0:
        return [ln.total_price + extra * ln.total_price / goods for ln in lines]
    return [ln.total_price + extra / len(lines) for ln in lines] if lines else []


def _ct_rate(
    line: TaxableLine,
    value: Decimal,
    rate: TaxRate,
    units: Mapping[str, UnitMeasure],
    reasons: list[Reason],
) -> Decimal:
    """The consumption-tax rate that applies to this line (0 below a high-end threshold)."""
    rule = CtRule(rate.ct_rule)
    if rule is CtRule.NONE or rate.ct_rate == 0:
        return Decimal(0)
    if rule is CtRule.AD_VALOREM:
        return rate.ct_rate
    if rule is CtRule.COSMETICS_HIGH_END:
        unit = units.get(line.unit1.strip())
        threshold = COSMETICS_THRESHOLDS.get(unit.measure) if unit is not None else None
        if unit is None or threshold is None or line.qty1 <= 0:
            reasons.append(_unknown_measure(line))
            return Decimal(0)
        per_unit = value / (line.qty1 * unit.factor)
        return rate.ct_rate if per_unit >= threshold else Decimal(0)
    # Watches: per piece of the transaction quantity.
    if line.qty <= 0:
        reasons.append(_unknown_measure(line))
        return Decimal(0)
    return rate.ct_rate if value / line.qty >= WATCH_THRESHOLD else Decimal(0)


def _unknown_measure(line: TaxableLine) -> Reason:
    return _reason(
        "tax.high_end_measure_unknown",
        gnum=line.gnum,
        hs_code=line.hs_code,
        qty1=_plain(line.qty1),
        unit1=line.unit1 or "-",
    )


def allocate_fen(total_fen: Fen, exact_yuan: Sequence[Decimal]) -> tuple[Fen, ...]:
    """Share a rounded total among lines in proportion to their exact amounts, so that the lines
    sum to the total and each is within one fen of its exact amount (largest remainder; ties go
    to the earlier line)."""
    if not exact_yuan:
        return ()
    exact_fen = [amount * 100 for amount in exact_yuan]
    shares = [int(a.to_integral_value(rounding=ROUND_FLOOR)) for a in exact_fen]
    # Largest fractional part first; for a total below the floors (only with negative
    # amounts) the smallest fractional parts give a fen back first.
    order = sorted(range(len(shares)), key=lambda i: (-(exact_fen[i] - shares[i]), i))
    left = total_fen - sum(shares)
    if left < 0:
        order.reverse()
    for k in range(abs(left)):
        shares[order[k % len(order)]] += 1 if left > 0 else -1
    return tuple(shares)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- rate and unit tables ---------------------------------------------------------------------

_RATE_COLUMNS = ("hs_code", "vat_rate", "ct_rate", "ct_rule", "mfn_rate", "source", "confirmed")


def parse_rates_csv(text: str) -> RateTable:
    """A rate table from CSV text with the columns of `tax/data/rates.csv` (extra columns are
    ignored). Raises ValueError naming the line of a bad row."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in _RATE_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise ValueError(f"rates CSV lacks columns: {', '.join(missing)}")
    rates: dict[str, TaxRate] = {}
    for number, row in enumerate(reader, start=2):
        try:
            hs = row["hs_code"].strip()
            if len(hs) != 10 or not hs.isdigit():
                raise ValueError(f"hs_code {hs!r} is not 10 digits")
            if hs in rates:
                raise ValueError(f"hs_code {hs} appears twice")
            rates[hs] = TaxRate(
                hs_code=hs,
                vat_rate=Decimal(row["vat_rate"]),
                ct_rate=Decimal(row["ct_rate"]),
                ct_rule=row["ct_rule"].strip(),
                mfn_rate=Decimal(row["mfn_rate"]),
                source=row["source"].strip(),
                confirmed=row["confirmed"].strip().lower() == "yes",
            )
        except (ArithmeticError, ValueError) as exc:
            raise ValueError(f"rates CSV line {number}: {exc}") from exc
    return RateTable(rates)


def _data_text(name: str) -> str:
    return resources.files("singlewindow.tax").joinpath("data", name).read_text(encoding="utf-8")


@cache
def load_default_rates() -> RateTable:
    """The packaged default rate table (`tax/data/rates.csv`, sources in `SOURCES.md`)."""
    return parse_rates_csv(_data_text("rates.csv"))


@cache
def default_units() -> Mapping[str, UnitMeasure]:
    """Legal units the high-end thresholds are measured in (`tax/data/units.csv`)."""
    rows: Iterable[dict[str, str]] = csv.DictReader(io.StringIO(_data_text("units.csv")))
    return {
        r["unit_code"]: UnitMeasure(r["unit_code"], r["measure"], Decimal(r["factor"]))
        for r in rows
    }
