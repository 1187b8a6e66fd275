from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from singlewindow.kit.clock import CST
from singlewindow.summary.domain import (
    DeclarationLine,
    InventoryFacts,
    InventoryGoods,
    LineKey,
    PurchaseInvoice,
    SummaryError,
    SummaryFlag,
    Treatment,
)
from singlewindow.summary.rules import (
    decimal_text,
    group_inventories,
    inventory_facts,
    matching_invoices,
    month_of,
    overdue_before,
    parse_window,
    rebate_rate_for,
    rebate_treatment,
    summary_deadline,
)

D = Decimal


def _goods(
    gnum: int = 1,
    *,
    gcode: str = "6704200000",
    country: str = "502",
    currency: str = "142",
    item_name: str = "",
    gname: str = "假发",
    qty: str = "1",
    total: str = "100",
) -> InventoryGoods:
    return InventoryGoods(
        gnum, gcode, country, currency, item_name, gname, "007", "035", D(qty), D(qty), D(total)
    )


def _inv(
    n: int,
    *goods: InventoryGoods,
    ebc: str = "S1",
    traf: str = "5",
    owner: str = "P1",
    country: str = "502",
    port: str = "4604",
    gross: str = "1",
    net: str = "0.5",
) -> InventoryFacts:
    return InventoryFacts(
        n,
        f"I{n:03d}",
        f"L{n:03d}",
        ebc,
        traf,
        owner,
        country,
        port,
        D(gross),
        D(net),
        goods or (_goods(),),
    )


# Two inventories that differ in exactly one key: how many declarations / lines result.
HEAD_CASES = [
    pytest.param(_inv(1), _inv(2), "1", 1, id="same_head_keys_case"),
    pytest.param(_inv(1), _inv(2, ebc="S2"), "1", 2, id="seller_differs_case"),
    pytest.param(_inv(1), _inv(2, traf="4"), "1", 2, id="traf_mode_differs_case"),
    pytest.param(_inv(1), _inv(2, owner="P2"), "1", 1, id="owner_ignored_flag_1_case"),
    pytest.param(_inv(1), _inv(2, owner="P2"), "2", 2, id="owner_splits_flag_2_case"),
    pytest.param(_inv(1), _inv(2, country="304"), "1", 2, id="arrival_country_differs_case"),
    pytest.param(_inv(1), _inv(2, port="4601"), "1", 2, id="exit_port_differs_case"),
]


@pytest.mark.parametrize(("a", "b", "flag", "declarations"), HEAD_CASES)
def test_head_keys(a: InventoryFacts, b: InventoryFacts, flag: str, declarations: int) -> None:
    out = group_inventories([a, b], summary_flag=SummaryFlag(flag), item_name_flag=False)
    assert len(out) == declarations
    assert sorted(i for d in out for i in d.inventory_ids) == [1, 2]


LINE_CASES = [
    pytest.param(_goods(), _goods(), False, 1, id="same_line_keys_case"),
    pytest.param(_goods(), _goods(country="304"), False, 2, id="destination_differs_case"),
    pytest.param(_goods(), _goods(gcode="6704110000"), False, 2, id="hs_code_differs_case"),
    pytest.param(_goods(), _goods(currency="502"), False, 2, id="currency_differs_case"),
    pytest.param(
        _goods(item_name="A款"), _goods(item_name="B款"), False, 1, id="name_ignored_flag_0_case"
    ),
    pytest.param(
        _goods(item_name="A款"), _goods(item_name="B款"), True, 2, id="name_splits_flag_1_case"
    ),
    pytest.param(
        _goods(gname="假发"), _goods(item_name="假发"), True, 1, id="gname_stands_for_name_case"
    ),
]


@pytest.mark.parametrize(("g1", "g2", "by_name", "lines"), LINE_CASES)
def test_line_keys(g1: InventoryGoods, g2: InventoryGoods, by_name: bool, lines: int) -> None:
    (decl,) = group_inventories(
        [_inv(1, g1), _inv(2, g2)], summary_flag=SummaryFlag.BY_SELLER, item_name_flag=by_name
    )
    assert len(decl.lines) == lines
    assert [line.gseqno for line in decl.lines] == list(range(1, lines + 1))


def test_sums_and_gseqno_map() -> None:
    a = _inv(
        1,
        _goods(1, qty="2", total="200"),
        _goods(2, gcode="0409000000", qty="1", total="50"),
        gross="1.5",
        net="1.2",
    )
    b = _inv(2, _goods(1, qty="3", total="300.5"), gross="0.7", net="0.6")
    (decl,) = group_inventories([b, a], summary_flag=SummaryFlag.BY_SELLER, item_name_flag=False)
    assert [(x.gseqno, x.key.gcode, x.qty, x.total_price, x.item_count) for x in decl.lines] == [
        (1, "0409000000", D("1"), D("50"), 1),
        (2, "6704200000", D("5"), D("500.5"), 2),
    ]
    assert (decl.gross_weight, decl.net_weight) == (D("2.2"), D("1.8"))
    # Head weights spread over goods by value: 1.5 × 200/250 = 1.2 and 0.3 for inventory 1.
    assert [(x.gross_weight, x.net_weight) for x in decl.lines] == [
        (D("0.30000"), D("0.24000")),
        (D("1.90000"), D("1.56000")),
    ]
    assert [(p.invt_no, p.gnum, p.gseqno) for p in decl.placements] == [
        ("I001", 1, 2),
        ("I001", 2, 1),
        ("I002", 1, 2),
    ]


_goods_strategy = st.builds(
    _goods,
    st.integers(1, 5),
    gcode=st.sampled_from(["6704200000", "0409000000"]),
    country=st.sampled_from(["502", "304"]),
    qty=st.sampled_from(["1", "2.5", "0.00001"]),
    total=st.sampled_from(["0", "10", "99.99999"]),
)
_inventories = st.lists(
    st.builds(
        lambda n, goods, port, gross: _inv(n, *goods, port=port, gross=gross),
        st.integers(1, 10_000),
        st.lists(_goods_strategy, min_size=1, max_size=4),
        st.sampled_from(["4604", "4601"]),
        st.sampled_from(["0", "1", "3.33333"]),
    ),
    max_size=12,
    unique_by=lambda i: i.inventory_id,
)


@given(_inventories, st.randoms())
def test_grouping_keeps_every_goods_line_and_ignores_order(
    items: list[InventoryFacts], rnd: object
) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    out = group_inventories(items, summary_flag=SummaryFlag.BY_SELLER, item_name_flag=False)
    assert out == group_inventories(
        shuffled, summary_flag=SummaryFlag.BY_SELLER, item_name_flag=False
    )
    total_goods = sum(len(i.goods) for i in items)
    assert sum(len(d.placements) for d in out) == total_goods
    assert sum(line.item_count for d in out for line in d.lines) == total_goods
    assert sum((line.qty for d in out for line in d.lines), D(0)) == sum(
        (g.qty for i in items for g in i.goods), D(0)
    )
    assert sum((line.gross_weight for d in out for line in d.lines), D(0)) == sum(
        (i.gross_weight for i in items), D(0)
    )


def _line(gcode: str = "6704200000", item_name: str = "", gname: str = "假发") -> DeclarationLine:
    return DeclarationLine(
        1, LineKey("502", gcode, "142", item_name), gname, "007", "035",
        D(1), D(1), D(100), D(1), D(1), 1,
    )  # fmt: skip


INVOICE = PurchaseInvoice("S1", "4100", "0001", "6704200000", "", 10_000, 1_300, "20260301")
NAMED = PurchaseInvoice("S1", "4100", "0002", "", "蜂蜜", 5_000, 450, "20260301")

TREATMENT_CASES = [
    pytest.param((INVOICE,), D("0.13"), {"9610"}, Treatment.REBATE, 1300, id="invoice_rebate_case"),
    pytest.param((INVOICE,), D("0.09"), {"9610"}, Treatment.REBATE, 900, id="lower_rate_case"),
    pytest.param((INVOICE,), D("0.2"), {"9610"}, Treatment.REBATE, 1300, id="capped_by_vat_case"),
    pytest.param((INVOICE,), D(0), {"9610"}, Treatment.EXEMPTION, 0, id="rate_zero_case"),
    pytest.param((INVOICE,), None, {"9610"}, Treatment.TAXED, 0, id="rate_unknown_case"),
    pytest.param((), D("0.13"), {"9610"}, Treatment.EXEMPTION, 0, id="no_invoice_9610_case"),
    pytest.param((), D("0.13"), {"1210"}, Treatment.TAXED, 0, id="no_invoice_1210_case"),
    pytest.param((), D("0.13"), {"9610", "1210"}, Treatment.TAXED, 0, id="mixed_modes_case"),
]


@pytest.mark.parametrize(("invoices", "rate", "modes", "treatment", "fen"), TREATMENT_CASES)
def test_rebate_treatment(
    invoices: tuple[PurchaseInvoice, ...],
    rate: Decimal | None,
    modes: set[str],
    treatment: Treatment,
    fen: int,
) -> None:
    decision = rebate_treatment(_line(), invoices, rate, trade_modes=frozenset(modes))
    assert (decision.treatment, decision.rebate_fen) == (treatment, fen)
    assert decision.basis_fen == sum(i.amount_fen for i in invoices)


def test_invoices_match_by_hs_code_or_item_name() -> None:
    both = (INVOICE, NAMED)
    assert matching_invoices(_line(), both) == (INVOICE,)
    assert matching_invoices(_line("0409000000", gname="蜂蜜"), both) == (NAMED,)
    assert matching_invoices(_line("0409000000", item_name="蜂蜜", gname="x"), both) == (NAMED,)
    assert matching_invoices(_line("0409000000", gname="槐花蜜"), both) == ()


RATES = {"6704": D("0.13"), "670420": D("0.09"), "0409": D("0.09")}


@pytest.mark.parametrize(
    ("gcode", "rate"),
    [
        pytest.param("6704200000", D("0.09"), id="longest_prefix_case"),
        pytest.param("6704110000", D("0.13"), id="heading_case"),
        pytest.param("8541401000", None, id="unlisted_case"),
    ],
)
def test_rebate_rate_for(gcode: str, rate: Decimal | None) -> None:
    assert rebate_rate_for(gcode, RATES) == rate


@pytest.mark.parametrize(
    ("now", "before"),
    [
        pytest.param(
            datetime(2026, 5, 15, 23, 59, tzinfo=CST), datetime(2026, 4, 1, tzinfo=CST),
            id="on_the_15th_case",
        ),
        pytest.param(
            datetime(2026, 5, 16, 0, 0, tzinfo=CST), datetime(2026, 5, 1, tzinfo=CST),
            id="from_the_16th_case",
        ),
        pytest.param(
            datetime(2026, 1, 3, tzinfo=CST), datetime(2025, 12, 1, tzinfo=CST),
            id="across_the_year_case",
        ),
    ],
)  # fmt: skip
def test_overdue_before(now: datetime, before: datetime) -> None:
    assert overdue_before(now) == before


def test_month_and_deadline_by_the_platform_calendar() -> None:
    # 2026-04-30 16:30 UTC is already May in CST.
    assert month_of(datetime(2026, 4, 30, 16, 30, tzinfo=CST).astimezone(CST)) == "2026-04"
    assert month_of(datetime.fromisoformat("2026-04-30T16:30:00+00:00")) == "2026-05"
    assert summary_deadline("2026-12") == datetime(2027, 1, 16, tzinfo=CST)


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        pytest.param("2026040100000", "20260430235959", "summary.window_invalid", id="short_case"),
        pytest.param(
            "20260430000000", "20260401000000", "summary.window_reversed", id="reversed_case"
        ),
        pytest.param(
            "20260401000000", "20260501000000", "summary.window_spans_months", id="spans_case"
        ),
    ],
)
def test_parse_window_refusals(start: str, end: str, code: str) -> None:
    with pytest.raises(SummaryError) as caught:
        parse_window(start, end)
    assert caught.value.code == code


def test_parse_window_is_inclusive_to_the_second() -> None:
    lo, hi = parse_window("20260401000000", "20260430235959")
    assert lo == datetime(2026, 4, 1, tzinfo=CST)
    assert hi == datetime(2026, 4, 30, 23, 59, 59, 999999, tzinfo=CST)


def test_inventory_facts_from_a_ceb603_record() -> None:
    record = {
        "InventoryHead": {
            "invtNo": "I1", "logisticsNo": "L1", "ebcCode": "S1", "trafMode": "5",
            "ownerCode": "P1", "country": "502", "portCode": "4604", "grossWeight": "1.5",
            "netWeight": "1.2", "statisticsFlag": "B", "tradeMode": "9610",
        },
        "InventoryList": [
            {
                "gnum": "1", "gcode": "6704200000", "country": "502", "currency": "142",
                "gname": "假发", "unit": "007", "unit1": "035", "qty": "2", "qty1": "0.6",
                "totalPrice": "200",
            }
        ],
    }  # fmt: skip
    facts = inventory_facts(7, record)
    assert (facts.invt_no, facts.gross_weight, facts.trade_mode) == ("I1", D("1.5"), "9610")
    assert facts.goods == (
        InventoryGoods(
            1, "6704200000", "502", "142", "", "假发", "007", "035", D(2), D("0.6"), D(200)
        ),
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(D("300.50000"), "300.5", id="trailing_zeros_case"),
        pytest.param(D("1E+2"), "100", id="exponent_case"),
        pytest.param(D("0.00000"), "0", id="zero_case"),
    ],
)
def test_decimal_text(value: Decimal, text: str) -> None:
    assert decimal_text(value) == text
