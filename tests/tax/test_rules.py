from __future__ import annotations

import re
from decimal import Decimal

import pytest

from singlewindow.tax.domain import TaxableLine
from singlewindow.tax.rules import (
    allocate_fen,
    assess_import_tax,
    load_default_rates,
    parse_rates_csv,
)

D = Decimal
RATES = load_default_rates()
FORMULA = "1901101090"  # VAT 13 %, no CT
WINE = "2204210000"  # CT 10 % ad valorem
CREAM_ML = "3304990039"  # cosmetics labelled by volume
MASK = "3304990049"  # cosmetics labelled by 片/张
WATCH = "9102210000"  # CT 20 % from 10,000 CNY per piece


def line(
    hs: str, total: str, *, gnum: int = 1, qty: str = "1", qty1: str = "1", unit1: str = "035"
) -> TaxableLine:
    return TaxableLine(gnum, hs, D(total), D(qty), D(qty1), unit1, "goods")


# (lines, freight, insurance, buyer used fen, items) ->
# (dutiable, tariff, vat, ct, total, preferential, allowed, reason codes)
CASES = [
    pytest.param(
        [line(FORMULA, "1000")],
        "20",
        "0",
        0,
        None,
        (102000, 0, 9282, 0, 9282, True, True, ()),
        id="within_limits_case",
    ),
    pytest.param(
        [line(FORMULA, "1000")],
        "10",
        "5",
        0,
        None,
        # 1015 × 13 % × 70 % = 92.365 → half-up to 92.37
        (101500, 0, 9237, 0, 9237, True, True, ()),
        id="insurance_included_and_half_up_case",
    ),
    pytest.param(
        # The order's goodsValue 1000 includes a 100 CNY coupon (discount): not deducted.
        [line(FORMULA, "1000")],
        "0",
        "0",
        0,
        None,
        (100000, 0, 9100, 0, 9100, True, True, ()),
        id="discount_not_deducted_case",
    ),
    pytest.param(
        [line(FORMULA, "4980", qty="2")],
        "20",
        "0",
        0,
        None,
        (500000, 0, 45500, 0, 45500, True, True, ()),
        id="single_exactly_5000_case",
    ),
    pytest.param(
        [line(FORMULA, "4980.01", qty="2")],
        "20",
        "0",
        0,
        None,
        (500001, 0, 45500, 0, 45500, True, False, ("tax.single_limit_exceeded",)),
        id="single_5000_01_refused_case",
    ),
    pytest.param(
        [line(FORMULA, "980")],
        "20",
        "0",
        2_500_000,
        None,
        (100000, 0, 9100, 0, 9100, True, True, ()),
        id="annual_exactly_26000_case",
    ),
    pytest.param(
        [line(FORMULA, "980")],
        "20",
        "0",
        2_500_001,
        None,
        (100000, 0, 9100, 0, 9100, True, False, ("tax.annual_quota_exceeded",)),
        id="annual_over_by_a_fen_case",
    ),
    pytest.param(
        # Full rates: tariff 14 % = 840; CT (6000+840)/(1−10 %)×10 % = 760; VAT 13 % = 988.
        [line(WINE, "6000")],
        "0",
        "0",
        0,
        1,
        (600000, 84000, 98800, 76000, 258800, False, True, ("tax.single_item_full_tax",)),
        id="single_item_over_5000_alone_case",
    ),
    pytest.param(
        [line(WINE, "6000")],
        "0",
        "0",
        0,
        2,
        (600000, 0, 60667, 46667, 107334, True, False, ("tax.single_limit_exceeded",)),
        id="single_item_over_5000_with_others_case",
    ),
    pytest.param(
        [line(WINE, "6000")],
        "0",
        "0",
        2_100_000,
        1,
        (
            600000,
            0,
            60667,
            46667,
            107334,
            True,
            False,
            ("tax.single_limit_exceeded", "tax.annual_quota_exceeded"),
        ),
        id="single_item_over_5000_over_annual_case",
    ),
    pytest.param(
        # CT = 100/(1−10 %)×10 %×70 % = 7.78; VAT = (100+11.11)×13 %×70 % = 10.11.
        [line(WINE, "100")],
        "0",
        "0",
        0,
        None,
        (10000, 0, 1011, 778, 1789, True, True, ()),
        id="wine_ct_with_1_over_1_minus_rate_case",
    ),
    pytest.param(
        [line(CREAM_ML, "499.99", qty1="50", unit1="096")],
        "0",
        "0",
        0,
        None,
        (49999, 0, 4550, 0, 4550, True, True, ()),
        id="cosmetics_below_threshold_by_ml_case",
    ),
    pytest.param(
        # 10 CNY/ml: CT = 500/0.85×15 %×70 % = 61.76; VAT = 588.24×9.1 % = 53.53.
        [line(CREAM_ML, "500", qty1="50", unit1="096")],
        "0",
        "0",
        0,
        None,
        (50000, 0, 5353, 6176, 11529, True, True, ()),
        id="cosmetics_at_threshold_by_ml_case",
    ),
    pytest.param(
        [line(CREAM_ML, "600", qty1="0.05", unit1="095")],
        "0",
        "0",
        0,
        None,
        (60000, 0, 6424, 7412, 13836, True, True, ()),
        id="cosmetics_above_threshold_by_litre_case",
    ),
    pytest.param(
        [line(CREAM_ML, "499", qty1="50", unit1="036")],
        "0",
        "0",
        0,
        None,
        (49900, 0, 4541, 0, 4541, True, True, ()),
        id="cosmetics_below_threshold_by_g_case",
    ),
    pytest.param(
        [line(CREAM_ML, "500", qty1="0.05", unit1="035")],
        "0",
        "0",
        0,
        None,
        (50000, 0, 5353, 6176, 11529, True, True, ()),
        id="cosmetics_at_threshold_by_kg_case",
    ),
    pytest.param(
        # The threshold is on the dutiable price, freight included: 490 + 10 = 10 CNY/ml.
        [line(CREAM_ML, "490", qty1="50", unit1="096")],
        "10",
        "0",
        0,
        None,
        (50000, 0, 5353, 6176, 11529, True, True, ()),
        id="cosmetics_threshold_includes_freight_case",
    ),
    pytest.param(
        [line(MASK, "149.99", qty1="10", unit1="020")],
        "0",
        "0",
        0,
        None,
        (14999, 0, 1365, 0, 1365, True, True, ()),
        id="cosmetics_below_threshold_by_sheet_case",
    ),
    pytest.param(
        [line(MASK, "150", qty1="10", unit1="020")],
        "0",
        "0",
        0,
        None,
        (15000, 0, 1606, 1853, 3459, True, True, ()),
        id="cosmetics_at_threshold_by_sheet_case",
    ),
    pytest.param(
        [line(MASK, "300", qty1="10", unit1="010")],
        "0",
        "0",
        0,
        None,
        (30000, 0, 3212, 3706, 6918, True, True, ()),
        id="cosmetics_above_threshold_by_zhang_case",
    ),
    pytest.param(
        [line(CREAM_ML, "300", qty1="1", unit1="142")],
        "0",
        "0",
        0,
        None,
        (30000, 0, 2730, 0, 2730, True, False, ("tax.high_end_measure_unknown",)),
        id="cosmetics_unit_not_measurable_case",
    ),
    pytest.param(
        [line(WATCH, "4000")],
        "0",
        "0",
        0,
        None,
        (400000, 0, 36400, 0, 36400, True, True, ()),
        id="watch_below_high_end_case",
    ),
    pytest.param(
        # Tariff 8 % = 960; CT (12000+960)/0.8×20 % = 3240; VAT (12960+3240)×13 % = 2106.
        [line(WATCH, "12000")],
        "0",
        "0",
        0,
        1,
        (1200000, 96000, 210600, 324000, 630600, False, True, ("tax.single_item_full_tax",)),
        id="watch_high_end_single_item_case",
    ),
    pytest.param(
        [line("0000000000", "100")],
        "5",
        "0",
        0,
        None,
        (10500, 0, 0, 0, 0, True, False, ("tax.no_rate",)),
        id="no_rate_case",
    ),
]


@pytest.mark.parametrize(("lines", "freight", "insurance", "used", "items", "expected"), CASES)
def test_assess_import_tax(
    lines: list[TaxableLine],
    freight: str,
    insurance: str,
    used: int,
    items: int | None,
    expected: tuple[int, int, int, int, int, bool, bool, tuple[str, ...]],
) -> None:
    a = assess_import_tax(
        lines,
        freight=D(freight),
        insured_fee=D(insurance),
        buyer_used_fen=used,
        rates=RATES,
        items=items,
    )
    got = (
        a.dutiable_value_fen,
        a.tariff_fen,
        a.vat_fen,
        a.consumption_tax_fen,
        a.total_fen,
        a.preferential,
        a.allowed,
        tuple(r.code for r in a.reasons),
    )
    assert got == expected


def test_reasons_name_document_field_facts_and_standard_code() -> None:
    a = assess_import_tax(
        [line(FORMULA, "4000", qty="2")],
        freight=D(0),
        insured_fee=D(0),
        buyer_used_fen=2_300_000,
        rates=RATES,
    )
    (reason,) = a.reasons
    assert reason.code == "tax.annual_quota_exceeded"
    assert reason.document == "CEB621"
    assert reason.field == "buyerIdNumber"
    assert reason.error_code == -621018
    assert dict(reason.facts) == {
        "used": "23000.00",
        "dutiable_value": "4000.00",
        "limit": "26000.00",
        "remaining": "3000.00",
    }
    assert reason.message_en == (
        "The buyer has used 23000.00 CNY this year; 4000.00 CNY more would exceed the yearly "
        "limit of 26000.00 CNY"
    )
    assert reason.message_zh.startswith("订购人年度已用 23000.00 元")


def test_single_limit_reason_carries_621005() -> None:
    a = assess_import_tax(
        [line(FORMULA, "5001", qty="3")],
        freight=D(0),
        insured_fee=D(0),
        buyer_used_fen=0,
        rates=RATES,
    )
    assert [(r.code, r.error_code, dict(r.facts)) for r in a.reasons] == [
        (
            "tax.single_limit_exceeded",
            -621005,
            {"dutiable_value": "5001.00", "items": "3", "limit": "5000.00"},
        ),
    ]


def test_no_rate_reason_names_the_hs_code() -> None:
    a = assess_import_tax(
        [line(FORMULA, "10"), line("1209300000", "20", gnum=2)],
        freight=D(0),
        insured_fee=D(0),
        buyer_used_fen=0,
        rates=RATES,
    )
    (reason,) = a.reasons
    assert (reason.code, reason.field, dict(reason.facts)) == (
        "tax.no_rate",
        "gcode",
        {"hs_code": "1209300000", "gnum": "2"},
    )
    assert "1209300000" in reason.message_zh and "1209300000" in reason.message_en


def test_lines_share_freight_by_value_and_sum_to_the_totals() -> None:
    a = assess_import_tax(
        [line(FORMULA, "100", gnum=1), line(WINE, "200", gnum=2), line(FORMULA, "300.33", gnum=3)],
        freight=D("10"),
        insured_fee=D("0.01"),
        buyer_used_fen=0,
        rates=RATES,
    )
    assert a.dutiable_value_fen == 61034
    assert [ln.taxable_value_fen for ln in a.lines] == [10167, 20333, 30534]
    assert sum(ln.vat_fen for ln in a.lines) == a.vat_fen
    assert sum(ln.consumption_tax_fen for ln in a.lines) == a.consumption_tax_fen == 1581
    assert [ln.consumption_tax_fen for ln in a.lines] == [0, 1581, 0]


def test_allocate_fen_largest_remainder() -> None:
    assert allocate_fen(100, [D("0.333"), D("0.333"), D("0.334")]) == (33, 33, 34)
    assert allocate_fen(1, [D("0.005"), D("0.005")]) == (1, 0)
    assert allocate_fen(0, []) == ()


def test_default_rates_cover_the_brief() -> None:
    required = {
        "1901101090",
        "0402210000",
        "3304990099",
        "2204210000",
        "2106909090",
        "0409000000",
        "6704200000",
        "6703000000",
        "6910100000",
        "6911101100",
        "6913100000",
        "0603190090",
        "4202220000",
        "1211903999",
        "8467291000",
        "8479899990",
        "3303000000",
        "3305100000",
        "6109100021",
        "6403990090",
        "9503008900",
        "8517130000",
        "8471300000",
        "9102210000",
    }
    assert required <= set(RATES.rates)
    assert len(RATES.rates) >= 30
    formula = RATES.get("1901101090")
    assert formula is not None
    assert (formula.vat_rate, formula.ct_rate, formula.ct_rule) == (D("0.13"), D(0), "none")
    cream = RATES.get("3304990099")
    assert cream is not None
    assert (cream.vat_rate, cream.ct_rate, cream.ct_rule) == (
        D("0.13"),
        D("0.15"),
        "cosmetics_high_end",
    )
    assert all(r.source for r in RATES.rates.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("hs_code,vat_rate\n", "lacks columns: ct_rate", id="missing_columns_case"),
        pytest.param(
            "hs_code,vat_rate,ct_rate,ct_rule,mfn_rate,source,confirmed\n123,0.13,0,none,0,x,no\n",
            "line 2: hs_code '123' is not 10 digits",
            id="short_hs_case",
        ),
        pytest.param(
            "hs_code,vat_rate,ct_rate,ct_rule,mfn_rate,source,confirmed\n"
            "1234567890,0.13,0,flat,0,x,no\n",
            "line 2: 'flat' is not a valid CtRule",
            id="unknown_rule_case",
        ),
        pytest.param(
            "hs_code,vat_rate,ct_rate,ct_rule,mfn_rate,source,confirmed\n"
            "1234567890,13,0,none,0,x,no\n",
            "line 2: 1234567890: vat_rate 13 is not in [0, 1)",
            id="percent_not_fraction_case",
        ),
    ],
)
def test_parse_rates_csv_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_rates_csv(text)
