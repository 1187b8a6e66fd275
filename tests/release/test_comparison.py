"""Three-document comparison through the clearance service: one row per mismatch rule.

Each row builds a parcel (import: 311, 411, 511, 621 in that order, each in its own message),
changes what the rule is about, and expects the exact receipts of the four documents.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from tests.release.builders import BAD_CHECK_DIGIT_ID, Doc, Line, Parcel, import_docs
from tests.release.export_builders import export_docs
from tests.release.harness import Platform, statuses

Mutation = Callable[[dict[str, Doc]], None]
STORED = [("CEB311", "120", ()), ("CEB411", "120", ()), ("CEB511", "120", ())]


def _set(mt: str, **values: str) -> Mutation:
    def apply(docs: dict[str, Doc]) -> None:
        docs[mt].head.update(values)

    return apply


def _line(mt: str, index: int, **values: str) -> Mutation:
    def apply(docs: dict[str, Doc]) -> None:
        docs[mt].lines[index].update(values)

    return apply


def _drop_line(mt: str, index: int) -> Mutation:
    def apply(docs: dict[str, Doc]) -> None:
        del docs[mt].lines[index]

    return apply


def _nothing(docs: dict[str, Doc]) -> None:
    return None


TWO_LINES = [Line(1, 2, Decimal("50.00")), Line(2, 1, Decimal("20.00"), "HAIR-002", "发套")]


def _refused(*reasons: str) -> list[tuple[str, str, tuple[str, ...]]]:
    return [*STORED, ("CEB621", "100", reasons)]


IMPORT_CASES = [
    pytest.param({}, _nothing, [*STORED, ("CEB621", "800", ())], id="all_agree_released_case"),
    pytest.param(
        {},
        _set("CEB411", amountPaid="120.02"),
        _refused("comparison.amount_mismatch"),
        id="amount_paid_differs_case",
    ),
    pytest.param(
        {},
        # The order's own sum is judged when it arrives: refused alone, the inventory waits.
        _set("CEB311", acturalPaid="121.01"),
        [
            ("CEB311", "100", ("arithmetic.actural_paid",)),
            ("CEB411", "120", ()),
            ("CEB511", "120", ()),
            ("CEB621", "120", ("comparison.order_missing",)),
        ],
        id="actural_paid_arithmetic_case",
    ),
    pytest.param(
        {},
        _set("CEB511", consignee="李四"),
        _refused("comparison.consignee_mismatch"),
        id="consignee_differs_case",
    ),
    pytest.param(
        {},
        _set("CEB511", consigneeAddress="河南省郑州市1号"),
        _refused("comparison.consignee_mismatch"),
        id="consignee_address_differs_case",
    ),
    pytest.param(
        {},
        _set("CEB621", buyerName="王五"),
        _refused("comparison.buyer_mismatch"),
        id="buyer_not_inventory_buyer_case",
    ),
    pytest.param(
        {},
        _set("CEB411", payerName="赵六"),
        _refused("comparison.payer_not_buyer"),
        id="payer_not_buyer_case",
    ),
    pytest.param(
        {"buyer_id": BAD_CHECK_DIGIT_ID},
        _nothing,
        _refused("comparison.buyer_identity_unverified", "comparison.payer_identity_unverified"),
        id="bad_id_check_digit_case",
    ),
    pytest.param(
        {},
        _set("CEB621", ebcCode="4110960009"),
        _refused("comparison.order_link_mismatch"),
        id="inventory_seller_not_order_seller_case",
    ),
    pytest.param(
        {},
        _set("CEB411", payTransactionId="PAY9999999999"),
        _refused("comparison.payment_link_mismatch"),
        id="payment_transaction_not_order_case",
    ),
    pytest.param(
        {},
        _set("CEB511", orderNo="ORD99999999"),
        _refused("comparison.waybill_link_mismatch"),
        id="waybill_order_not_order_case",
    ),
    pytest.param(
        {},
        _line("CEB621", 0, qty="4", qty1="4", price="25.00"),
        _refused("comparison.line_mismatch"),
        id="line_qty_differs_case",
    ),
    pytest.param(
        {},
        _line("CEB621", 0, price="50.01", totalPrice="100.02"),
        _refused("comparison.line_mismatch"),
        id="line_price_differs_case",
    ),
    pytest.param(
        {},
        _line("CEB621", 0, gname="发套"),
        _refused("comparison.line_mismatch"),
        id="line_name_differs_case",
    ),
    pytest.param(
        # The order says two lines and the tax of the one the inventory declares.
        {"lines": TWO_LINES, "tax": Decimal("10.01")},
        _drop_line("CEB621", 1),
        _refused("comparison.line_missing"),
        id="line_missing_from_inventory_case",
    ),
    pytest.param(
        {"lines": TWO_LINES, "tax": Decimal("11.83")},
        _drop_line("CEB311", 1),
        [
            # The order's goodsValue no longer sums its lines: it is refused on its own.
            ("CEB311", "100", ("arithmetic.goods_value",)),
            ("CEB411", "120", ()),
            ("CEB511", "120", ()),
            ("CEB621", "120", ("comparison.order_missing",)),
        ],
        id="order_goods_value_not_line_sum_case",
    ),
    pytest.param(
        # 311 with one line, inventory with an extra one; taxTotal = the inventory's tax.
        {"lines": TWO_LINES[:1], "tax": Decimal("11.83")},
        lambda docs: docs["CEB621"].lines.append(
            docs["CEB621"].lines[0]
            | {
                "gnum": "2",
                "itemNo": "HAIR-002",
                "gname": "发套",
                "itemName": "发套",
                "qty": "1",
                "qty1": "1",
                "price": "20.00",
                "totalPrice": "20.00",
            }
        ),
        _refused("comparison.line_unexpected"),
        id="line_extra_in_inventory_case",
    ),
    pytest.param(
        {"tax": Decimal("10.02")},
        _nothing,
        [*STORED, ("CEB621", "800", ())],
        id="tax_off_by_one_fen_one_line_allowed_case",
    ),
    pytest.param(
        {"tax": Decimal("10.03")},
        _nothing,
        _refused("comparison.tax_mismatch"),
        id="tax_off_by_two_fen_one_line_refused_case",
    ),
    pytest.param(
        # Two lines: 0.02 of tolerance (130.00 dutiable → 11.83).
        {"lines": TWO_LINES, "tax": Decimal("11.85")},
        _nothing,
        [*STORED, ("CEB621", "800", ())],
        id="tax_off_by_two_fen_two_lines_allowed_case",
    ),
    pytest.param(
        {"lines": TWO_LINES, "tax": Decimal("11.80")},
        _nothing,
        _refused("comparison.tax_mismatch"),
        id="tax_off_by_three_fen_two_lines_refused_case",
    ),
]


@pytest.mark.parametrize(("parcel", "mutate", "expected"), IMPORT_CASES)
def test_import_comparison(
    platform: Platform,
    parcel: dict[str, Any],
    mutate: Mutation,
    expected: list[tuple[str, str, tuple[str, ...]]],
) -> None:
    p = Parcel(1, **parcel)
    docs = import_docs(p)
    mutate(docs)
    receipts = [r for batch in platform.send_each(list(docs.values())) for r in batch]
    assert statuses(receipts) == expected
    status, reasons = expected[-1][1], expected[-1][2]
    # The inventory's history ends where its last receipt says, for the same reasons.
    assert platform.history(p.order_no)[-1][1:] == (status, reasons)
    released = status == "800"
    assert platform.counts()["tax_bills"] == int(released)
    assert platform.quota(p.buyer_id, 2026) == (int(p.dutiable * 100) if released else 0)


EXPORT_CASES = [
    pytest.param(_nothing, ("399", ()), id="export_all_agree_concluded_case"),
    pytest.param(
        _set("CEB403", charge="110.01"),
        ("100", ("comparison.amount_mismatch",)),
        id="export_charge_not_goods_and_freight_case",
    ),
    pytest.param(
        _line("CEB603", 0, qty="4", qty1="4", price="25.00"),
        ("100", ("comparison.line_mismatch",)),
        id="export_line_qty_differs_case",
    ),
    pytest.param(
        _set("CEB603", ebcCode="4110960009"),
        ("100", ("comparison.order_link_mismatch",)),
        id="export_seller_not_order_seller_case",
    ),
    pytest.param(
        _set("CEB403", ebcCode="4110960009"),
        ("100", ("comparison.receipt_link_mismatch",)),
        id="export_receipt_seller_not_order_seller_case",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), EXPORT_CASES)
def test_export_comparison(
    platform: Platform, mutate: Mutation, expected: tuple[str, tuple[str, ...]]
) -> None:
    p = Parcel(2)
    docs = export_docs(p)
    mutate(docs)
    receipts = [r for batch in platform.send_each(list(docs.values())) for r in batch]
    assert statuses(receipts) == [
        ("CEB303", "120", ()),
        ("CEB403", "120", ()),
        ("CEB505", "120", ()),
        ("CEB603", *expected),
    ]
    assert platform.status(p.order_no) == expected[0]
    assert platform.counts()["tax_bills"] == 0
