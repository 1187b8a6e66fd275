from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from singlewindow.kit.money import yuan_to_fen
from singlewindow.tax.domain import RateTable, TaxableLine, TaxRate
from singlewindow.tax.rules import (
    assess_import_tax,
    load_default_rates,
    quota_after,
    remaining_quota,
)

D = Decimal
RATES = load_default_rates()
FORMULA, WINE, CREAM_ML, MASK = "1901101090", "2204210000", "3304990039", "3304990049"

# --- properties ---------------------------------------------------------------------------

_HS = [FORMULA, WINE, CREAM_ML, MASK, "0409000000", "3305100000"]
_money = st.integers(min_value=0, max_value=300_000).map(lambda c: D(c) / 100)
_lines = st.lists(
    st.tuples(
        st.sampled_from(_HS),
        _money,
        st.integers(1, 5),
        st.integers(1, 2000).map(lambda q: D(q) / 10),
        st.sampled_from(["096", "036", "020"]),
    ),
    min_size=1,
    max_size=6,
).map(
    lambda rows: [
        TaxableLine(i + 1, hs, total, D(qty), qty1, unit, "g")
        for i, (hs, total, qty, qty1, unit) in enumerate(rows)
    ]
)


@given(_lines, _money, _money, st.integers(0, 3_000_000))
def test_line_taxes_within_a_fen_per_line_of_the_totals(
    lines: list[TaxableLine], freight: Decimal, insurance: Decimal, used: int
) -> None:
    a = assess_import_tax(
        lines, freight=freight, insured_fee=insurance, buyer_used_fen=used, rates=RATES
    )
    n = len(lines)
    assert abs(sum(ln.vat_fen for ln in a.lines) - a.vat_fen) <= n
    assert abs(sum(ln.consumption_tax_fen for ln in a.lines) - a.consumption_tax_fen) <= n
    assert abs(sum(ln.tariff_fen for ln in a.lines) - a.tariff_fen) <= n
    assert abs(sum(ln.taxable_value_fen for ln in a.lines) - a.dutiable_value_fen) <= n
    assert all(ln.vat_fen >= 0 and ln.consumption_tax_fen >= 0 for ln in a.lines)


@given(_lines, _money, _money, st.integers(0, 3_000_000), st.none() | st.integers(1, 4))
def test_total_is_the_sum_of_its_parts(
    lines: list[TaxableLine], freight: Decimal, insurance: Decimal, used: int, items: int | None
) -> None:
    a = assess_import_tax(
        lines,
        freight=freight,
        insured_fee=insurance,
        buyer_used_fen=used,
        rates=RATES,
        items=items,
    )
    assert a.total_fen == a.tariff_fen + a.vat_fen + a.consumption_tax_fen
    goods = sum((ln.total_price for ln in lines), D(0))
    assert a.dutiable_value_fen == yuan_to_fen(goods + freight + insurance)
    assert a.allowed == (
        a.dutiable_value_fen + used <= 2_600_000
        and (
            a.dutiable_value_fen <= 500_000
            or items == 1
            or (items is None and sum((ln.qty for ln in lines), D(0)) == 1)
        )
        and not any(r.code == "tax.high_end_measure_unknown" for r in a.reasons)
    )
    if a.preferential:
        assert a.tariff_fen == 0


@given(st.integers(-(10**9), 10**9), st.integers(-(10**9), 10**9))
def test_quotas_never_negative(used: int, delta: int) -> None:
    after = quota_after(max(used, 0), delta)
    assert after >= 0
    assert after == max(0, max(used, 0) + delta)
    assert remaining_quota(used) >= 0
    assert remaining_quota(after) == max(0, 2_600_000 - after)


def test_rate_table_is_read_only() -> None:
    table = RateTable({"1234567890": TaxRate("1234567890", D("0.13"), D(0), "none", D(0))})
    with pytest.raises(TypeError):
        table.rates["x"] = table.rates["1234567890"]  # type: ignore[index]
    assert table.get("1234567890") is not None
    assert table.get("0000000000") is None
