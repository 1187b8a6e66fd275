"""Tax limits and the buyer's yearly quota through the clearance service (财关税〔2018〕49号):
one row per limit case; the quota is used at release, given back later, never negative, and
counted in the year of the platform's clock (China Standard Time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update
from tests.release.builders import (
    BUYER_ID,
    HS_NO_RATE,
    Line,
    Parcel,
    cancel_623,
    full_tax,
    import_docs,
)
from tests.release.harness import Platform, statuses

from singlewindow.db.session import unit_of_work
from singlewindow.kit.clock import CST
from singlewindow.tax.tables import QuotaUsageRow, TaxBillRow

Y = 2026
P2495 = Decimal("2495.00")

LIMIT_CASES = [
    pytest.param(
        {"lines": [Line(1, 2, P2495)], "freight": Decimal("10.00")},
        0,
        ("800", ()),
        500_000 + 0,
        id="single_limit_5000_inclusive_case",
    ),
    pytest.param(
        {"lines": [Line(1, 2, P2495)], "freight": Decimal("10.01")},
        0,
        ("100", ("tax.single_limit_exceeded",)),
        0,
        id="single_limit_5000_01_refused_case",
    ),
    pytest.param(
        {"lines": [Line(1, 2, P2495)], "freight": Decimal("10.00")},
        2_100_000,
        ("800", ()),
        2_600_000,
        id="yearly_limit_26000_inclusive_case",
    ),
    pytest.param(
        {"lines": [Line(1, 2, P2495)], "freight": Decimal("10.00")},
        2_100_001,
        ("100", ("tax.annual_quota_exceeded",)),
        2_100_001,
        id="yearly_limit_over_by_one_fen_case",
    ),
    pytest.param(
        {
            "lines": [Line(1, 1, Decimal("6000.00"))],
            "tax": full_tax(Decimal("6010.00")),
        },
        0,
        ("800", ()),
        601_000,
        id="single_item_over_5000_alone_full_tax_case",
    ),
    pytest.param(
        {
            "lines": [
                Line(1, 1, Decimal("6000.00")),
                Line(2, 1, Decimal("10.00"), "HAIR-2", "发套"),
            ],
        },
        0,
        ("100", ("tax.single_limit_exceeded",)),
        0,
        id="single_item_over_5000_with_others_refused_case",
    ),
    pytest.param(
        {"lines": [Line(1, 2, Decimal("50.00"), hs_code=HS_NO_RATE)]},
        0,
        ("100", ("tax.no_rate",)),
        0,
        id="no_rate_case",
    ),
]


@pytest.mark.parametrize(("parcel", "used_before", "expected", "used_after"), LIMIT_CASES)
def test_limits(
    platform: Platform,
    parcel: dict[str, Any],
    used_before: int,
    expected: tuple[str, tuple[str, ...]],
    used_after: int,
) -> None:
    if used_before:
        platform.set_quota(BUYER_ID, Y, used_before)
    p = Parcel(1, **parcel)
    receipts = [r for b in platform.send_each(list(import_docs(p).values())) for r in b]
    assert statuses(receipts)[-1] == ("CEB621", *expected)
    assert platform.quota(BUYER_ID, Y) == used_after
    assert platform.counts()["tax_bills"] == (1 if expected[0] == "800" else 0)


def test_full_tax_bill_of_a_single_item(platform: Platform) -> None:
    p = Parcel(1, lines=[Line(1, 1, Decimal("6000.00"))], tax=full_tax(Decimal("6010.00")))
    platform.send_each(list(import_docs(p).values()))
    with platform.factory() as session:
        bill = session.scalars(select(TaxBillRow)).one()
    # Tariff 12 % of 6,010.00; VAT 13 % of (6,010.00 + 721.20); no 70 % preference.
    assert (bill.dutiable_value_fen, bill.tariff_fen, bill.vat_fen, bill.consumption_tax_fen) == (
        601_000,
        72_120,
        87_506,
        0,
    )
    assert (bill.total_fen, bill.preferential, bill.status) == (159_626, False, "1")


def _release(platform: Platform, n: int, when: datetime) -> Parcel:
    platform.clock.now = when
    p = Parcel(n, when=when)
    platform.send_each(list(import_docs(p).values()))
    assert platform.status(p.order_no) == "800"
    return p


@pytest.mark.parametrize(
    ("when", "year"),
    [
        pytest.param(datetime(2026, 12, 31, 23, 59, tzinfo=CST), 2026, id="dec_31_23_59_cst_case"),
        pytest.param(datetime(2027, 1, 1, 0, 0, tzinfo=CST), 2027, id="jan_1_00_00_cst_case"),
    ],
)
def test_quota_year_is_the_platform_clock_year_in_cst(
    platform: Platform, when: datetime, year: int
) -> None:
    p = _release(platform, 1, when)
    assert platform.quota(BUYER_ID, year) == 11_000
    assert platform.quota(BUYER_ID, 2026 + 2027 - year) == 0
    assert platform.inventory(p.order_no).invt_no == f"4621{year}I000000001"


def test_quota_given_back_to_the_year_it_was_used_in(platform: Platform) -> None:
    p = _release(platform, 1, datetime(2026, 12, 31, 23, 59, tzinfo=CST))
    platform.clock.now = datetime(2027, 1, 2, 10, 0, tzinfo=CST)
    invt_no = platform.inventory(p.order_no).invt_no or ""
    assert statuses(platform.send(cancel_623(p, invt_no))) == [("CEB623", "399", ())]
    assert (platform.quota(BUYER_ID, 2026), platform.quota(BUYER_ID, 2027)) == (0, 0)


def test_quota_adds_up_over_releases_and_is_never_negative(platform: Platform) -> None:
    a = _release(platform, 1, datetime(2026, 5, 11, 9, 30, tzinfo=CST))
    _release(platform, 2, datetime(2026, 5, 11, 9, 40, tzinfo=CST))
    assert platform.quota(BUYER_ID, Y) == 22_000
    # Someone corrected the quota below this bill's value: giving the bill back stops at zero.
    with unit_of_work(platform.factory) as session:
        session.execute(update(QuotaUsageRow).values(used_fen=5_000))
    platform.clock.advance(timedelta(hours=1))
    invt_no = platform.inventory(a.order_no).invt_no or ""
    platform.send(cancel_623(a, invt_no))
    assert platform.quota(BUYER_ID, Y) == 0
