from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from singlewindow.comparison.domain import (
    ExportInventoryFacts,
    ExportOrderFacts,
    ExportWaybillFacts,
    GoodsLine,
    InventoryLine,
    ReceiptFacts,
)
from singlewindow.comparison.rules import compare_export, missing_documents

D = Decimal

# --- export -----------------------------------------------------------------------------------

E_LINES = (GoodsLine(1, "WIG1", "人发制假发", D(2), D(300), D(600)),)
E_ORDER = ExportOrderFacts("EO-1", "EBP1", "EBC1", D(600), D(45), E_LINES)
E_RECEIPT = ReceiptFacts("EO-1", "EBP1", "EBC1", D(645), "PAY1")
E_WAYBILL = ExportWaybillFacts("LOG1", "EW-1", D(45))
E_INVENTORY = ExportInventoryFacts(
    "EO-1",
    "EBP1",
    "EBC1",
    "LOG1",
    "EW-1",
    (InventoryLine(1, "6704200000", "WIG1", "人发制假发", D(2), D(300), D(600)),),
)


@dataclass(frozen=True)
class ExportDocs:
    inventory: ExportInventoryFacts = E_INVENTORY
    order: ExportOrderFacts = E_ORDER
    receipt: ReceiptFacts = E_RECEIPT
    waybill: ExportWaybillFacts = E_WAYBILL


def e(part: str, **kw: object) -> Callable[[ExportDocs], ExportDocs]:
    return lambda d: replace(d, **{part: replace(getattr(d, part), **kw)})


EXPORT_CASES = [
    pytest.param(lambda d: d, [], id="export_all_agree_case"),
    pytest.param(
        e("inventory", order_no="EO-2"),
        [("order_link_mismatch", "CEB603", "orderNo")],
        id="export_inventory_order_no_case",
    ),
    pytest.param(
        e("inventory", ebc_code="EBC9"),
        [("order_link_mismatch", "CEB603", "ebcCode")],
        id="export_inventory_ebc_code_case",
    ),
    pytest.param(
        e("receipt", order_no="EO-2"),
        [("receipt_link_mismatch", "CEB403", "orderNo")],
        id="receipt_order_no_case",
    ),
    pytest.param(
        e("receipt", ebp_code="EBP9"),
        [("receipt_link_mismatch", "CEB403", "ebpCode")],
        id="receipt_ebp_code_case",
    ),
    pytest.param(
        e("receipt", ebc_code="EBC9"),
        [("receipt_link_mismatch", "CEB403", "ebcCode")],
        id="receipt_ebc_code_case",
    ),
    pytest.param(
        e("waybill", logistics_no="EW-2"),
        [("waybill_link_mismatch", "CEB505", "logisticsNo")],
        id="export_waybill_logistics_no_case",
    ),
    pytest.param(
        e("waybill", logistics_code="LOG9"),
        [("waybill_link_mismatch", "CEB505", "logisticsCode")],
        id="export_waybill_logistics_code_case",
    ),
    pytest.param(
        e("receipt", charge=D(600)),
        [("amount_mismatch", "CEB403", "charge")],
        id="receipt_charge_without_freight_case",
    ),
    pytest.param(
        e("order", goods_value=D(610)),
        [
            ("amount_mismatch", "CEB403", "charge"),
            ("goods_value_incorrect", "CEB303", "goodsValue"),
        ],
        id="export_goods_value_case",
    ),
    pytest.param(
        e("inventory", lines=()),
        [("line_missing", "CEB603", "gnum")],
        id="export_line_missing_case",
    ),
    pytest.param(
        e("inventory", lines=(replace(E_INVENTORY.lines[0], qty=D(3), total_price=D(900)),)),
        [("line_mismatch", "CEB603", "qty"), ("line_mismatch", "CEB603", "totalPrice")],
        id="export_line_qty_case",
    ),
]


@pytest.mark.parametrize(("change", "expected"), EXPORT_CASES)
def test_compare_export(
    change: Callable[[ExportDocs], ExportDocs], expected: list[tuple[str, str, str]]
) -> None:
    d = change(ExportDocs())
    result = compare_export(d.inventory, d.order, d.receipt, d.waybill)
    got = [(r.code.removeprefix("comparison."), r.document, r.field) for r in result.reasons]
    assert got == expected
    assert result.passed is (expected == [])


@pytest.mark.parametrize(
    ("direction", "present", "expected"),
    [
        pytest.param("I", {"order", "payment", "waybill"}, [], id="import_complete_case"),
        pytest.param(
            "I",
            {"order", "waybill"},
            ["comparison.payment_missing"],
            id="import_payment_missing_case",
        ),
        pytest.param(
            "I",
            set(),
            [
                "comparison.order_missing",
                "comparison.payment_missing",
                "comparison.waybill_missing",
            ],
            id="import_nothing_case",
        ),
        pytest.param(
            "I",
            {"order", "payment", "receipt"},
            ["comparison.waybill_missing"],
            id="import_receipt_irrelevant_case",
        ),
        pytest.param(
            "E",
            {"order", "waybill"},
            ["comparison.receipt_missing"],
            id="export_receipt_missing_case",
        ),
        pytest.param(
            "E",
            {"receipt", "waybill"},
            ["comparison.order_missing"],
            id="export_order_missing_case",
        ),
    ],
)
def test_missing_documents(direction: str, present: set[str], expected: list[str]) -> None:
    facts: dict[str, object | None] = {
        name: (object() if name in present else None)
        for name in ("order", "payment", "receipt", "waybill")
    }
    reasons = missing_documents(direction=direction, **facts)
    assert [r.code for r in reasons] == expected


def test_missing_document_reason_names_the_message_type() -> None:
    (reason,) = missing_documents(direction="I", order=object(), payment=None, waybill=object())
    assert (reason.document, reason.message_zh, reason.message_en) == (
        "CEB411",
        "缺少支付凭证（CEB411）",
        "the payment is missing (CEB411)",
    )


def test_missing_documents_refuses_an_unknown_direction() -> None:
    with pytest.raises(ValueError, match="direction must be 'I' or 'E'"):
        missing_documents(direction="X", order=None, waybill=None)
