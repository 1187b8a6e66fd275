from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from singlewindow.comparison.domain import (
    GoodsLine,
    InventoryFacts,
    InventoryLine,
    OrderFacts,
    PaymentFacts,
    WaybillFacts,
)
from singlewindow.comparison.rules import compare_import

D = Decimal
BUYER_ID = "410102199003071234"

ORDER_LINES = (
    GoodsLine(1, "A1", "婴幼儿配方奶粉", D(2), D(100), D(200)),
    GoodsLine(2, "B2", "保湿面霜", D(1), D("50.5"), D("50.5")),
)
INVENTORY_LINES = (
    InventoryLine(1, "1901101090", "A1", "婴幼儿配方奶粉", D(2), D(100), D(200), D("1.6"), "035"),
    InventoryLine(2, "3304990099", "B2", "保湿面霜", D(1), D("50.5"), D("50.5"), D("0.05"), "035"),
)
# 250.5 goods + 10 freight + 23.71 tax − 5 coupon = 279.21
ORDER = OrderFacts(
    order_no="O-1",
    ebp_code="EBP1",
    ebc_code="EBC1",
    goods_value=D("250.5"),
    freight=D(10),
    discount=D(5),
    tax_total=D("23.71"),
    actural_paid=D("279.21"),
    buyer_id_type="1",
    buyer_id_number=BUYER_ID,
    buyer_name="张三",
    buyer_telephone="13800001111",
    consignee="李四",
    consignee_telephone="13900002222",
    consignee_address="河南省许昌市魏都区1号",
    pay_code="PAY1",
    pay_transaction_id="T-1",
    lines=ORDER_LINES,
)
PAYMENT = PaymentFacts(
    pay_code="PAY1",
    pay_transaction_id="T-1",
    order_no="O-1",
    ebp_code="EBP1",
    payer_id_type="1",
    payer_id_number=BUYER_ID,
    payer_name="张三",
    amount_paid=D("279.21"),
)
WAYBILL = WaybillFacts(
    logistics_code="LOG1",
    logistics_no="W-1",
    order_no="O-1",
    consignee="李四",
    consignee_telephone="13900002222",
    consignee_address="河南省许昌市魏都区1号",
    freight=D(10),
)
INVENTORY = InventoryFacts(
    order_no="O-1",
    ebp_code="EBP1",
    ebc_code="EBC1",
    logistics_code="LOG1",
    logistics_no="W-1",
    buyer_id_type="1",
    buyer_id_number=BUYER_ID,
    buyer_name="张三",
    buyer_telephone="13800001111",
    consignee_address="河南省许昌市魏都区1号",
    freight=D(10),
    insured_fee=D(0),
    lines=INVENTORY_LINES,
)


@dataclass(frozen=True)
class Docs:
    inventory: InventoryFacts = INVENTORY
    order: OrderFacts = ORDER
    payment: PaymentFacts = PAYMENT
    waybill: WaybillFacts = WAYBILL
    platform_tax_fen: int | None = 2371
    buyer_ok: bool = True
    payer_ok: bool = True


Change = Callable[[Docs], Docs]


def inv(**kw: object) -> Change:
    return lambda d: replace(d, inventory=replace(d.inventory, **kw))  # type: ignore[arg-type]


def order(**kw: object) -> Change:
    return lambda d: replace(d, order=replace(d.order, **kw))  # type: ignore[arg-type]


def pay(**kw: object) -> Change:
    return lambda d: replace(d, payment=replace(d.payment, **kw))  # type: ignore[arg-type]


def wb(**kw: object) -> Change:
    return lambda d: replace(d, waybill=replace(d.waybill, **kw))  # type: ignore[arg-type]


def docs(**kw: object) -> Change:
    return lambda d: replace(d, **kw)  # type: ignore[arg-type]


def both(*changes: Change) -> Change:
    def apply(d: Docs) -> Docs:
        for change in changes:
            d = change(d)
        return d

    return apply


def inv_line(gnum: int, **kw: object) -> Change:
    return inv(
        lines=tuple(
            replace(ln, **kw) if ln.gnum == gnum else ln
            for ln in INVENTORY_LINES  # type: ignore[arg-type]
        )
    )


IMPORT_CASES = [
    pytest.param(docs(), [], id="all_agree_case"),
    pytest.param(
        inv(order_no="O-2"),
        [("order_link_mismatch", "CEB621", "orderNo")],
        id="inventory_order_no_case",
    ),
    pytest.param(
        inv(ebp_code="EBP9"),
        [("order_link_mismatch", "CEB621", "ebpCode")],
        id="inventory_ebp_code_case",
    ),
    pytest.param(
        inv(ebc_code="EBC9"),
        [("order_link_mismatch", "CEB621", "ebcCode")],
        id="inventory_ebc_code_case",
    ),
    pytest.param(
        pay(order_no="O-2"),
        [("payment_link_mismatch", "CEB411", "orderNo")],
        id="payment_order_no_case",
    ),
    pytest.param(
        pay(ebp_code="EBP9"),
        [("payment_link_mismatch", "CEB411", "ebpCode")],
        id="payment_ebp_code_case",
    ),
    pytest.param(
        pay(pay_code="PAY9"),
        [("payment_link_mismatch", "CEB411", "payCode")],
        id="payment_pay_code_case",
    ),
    pytest.param(
        pay(pay_transaction_id="T-9"),
        [("payment_link_mismatch", "CEB411", "payTransactionId")],
        id="payment_transaction_id_case",
    ),
    pytest.param(
        both(
            order(pay_code="", pay_transaction_id=""),
            pay(pay_code="PAY9", pay_transaction_id="T-9"),
        ),
        [],
        id="order_names_no_payment_ids_case",
    ),
    pytest.param(
        wb(logistics_no="W-2"),
        [("waybill_link_mismatch", "CEB511", "logisticsNo")],
        id="waybill_logistics_no_case",
    ),
    pytest.param(
        wb(logistics_code="LOG9"),
        [("waybill_link_mismatch", "CEB511", "logisticsCode")],
        id="waybill_logistics_code_case",
    ),
    pytest.param(
        wb(order_no="O-2"),
        [("waybill_link_mismatch", "CEB511", "orderNo")],
        id="waybill_order_no_case",
    ),
    pytest.param(
        pay(amount_paid=D("279.20")),
        [("amount_mismatch", "CEB411", "amountPaid")],
        id="amount_paid_differs_case",
    ),
    pytest.param(pay(amount_paid=D("279.20501")), [], id="amount_paid_equal_to_the_fen_case"),
    pytest.param(
        both(order(actural_paid=D("284.21")), pay(amount_paid=D("284.21"))),
        [("actural_paid_incorrect", "CEB311", "acturalPaid")],
        id="discount_not_subtracted_case",
    ),
    pytest.param(
        both(order(goods_value=D("251.5"), actural_paid=D("280.21")), pay(amount_paid=D("280.21"))),
        [("goods_value_incorrect", "CEB311", "goodsValue")],
        id="goods_value_not_line_sum_case",
    ),
    pytest.param(
        order(lines=(replace(ORDER_LINES[0], price=D("100.01")), ORDER_LINES[1])),
        [("line_total_incorrect", "CEB311", "totalPrice"), ("line_mismatch", "CEB621", "price")],
        id="order_line_total_not_price_times_qty_case",
    ),
    pytest.param(docs(platform_tax_fen=2373), [], id="tax_within_a_fen_per_line_case"),
    pytest.param(
        docs(platform_tax_fen=2374), [("tax_mismatch", "CEB311", "taxTotal")], id="tax_differs_case"
    ),
    pytest.param(docs(platform_tax_fen=None), [], id="tax_not_assessed_case"),
    pytest.param(
        wb(consignee="王五"),
        [("consignee_mismatch", "CEB511", "consignee")],
        id="consignee_name_case",
    ),
    pytest.param(
        wb(consignee_telephone="13900003333"),
        [("consignee_mismatch", "CEB511", "consigneeTelephone")],
        id="consignee_telephone_case",
    ),
    pytest.param(
        wb(consignee_address="河南省许昌市魏都区2号"),
        [("consignee_mismatch", "CEB511", "consigneeAddress")],
        id="consignee_address_waybill_case",
    ),
    pytest.param(
        inv(consignee_address="河南省许昌市魏都区2号"),
        [("consignee_mismatch", "CEB621", "consigneeAddress")],
        id="consignee_address_inventory_case",
    ),
    pytest.param(
        inv(buyer_id_number="410102199003071242"),
        [("buyer_mismatch", "CEB621", "buyerIdNumber")],
        id="buyer_id_number_case",
    ),
    pytest.param(
        inv(buyer_name="张四"), [("buyer_mismatch", "CEB621", "buyerName")], id="buyer_name_case"
    ),
    pytest.param(
        inv(buyer_id_type="2"),
        [("buyer_mismatch", "CEB621", "buyerIdType")],
        id="buyer_id_type_case",
    ),
    pytest.param(
        pay(payer_id_number="410102199003071242"),
        [("payer_not_buyer", "CEB411", "payerIdNumber")],
        id="payer_id_number_case",
    ),
    pytest.param(
        pay(payer_name="王五"), [("payer_not_buyer", "CEB411", "payerName")], id="payer_name_case"
    ),
    pytest.param(
        docs(buyer_ok=False),
        [("buyer_identity_unverified", "CEB621", "buyerIdNumber")],
        id="buyer_identity_unverified_case",
    ),
    pytest.param(
        docs(payer_ok=False),
        [("payer_identity_unverified", "CEB411", "payerIdNumber")],
        id="payer_identity_unverified_case",
    ),
    pytest.param(
        inv(lines=INVENTORY_LINES[:1]),
        [("line_missing", "CEB621", "gnum")],
        id="inventory_line_missing_case",
    ),
    pytest.param(
        inv(lines=(*INVENTORY_LINES, replace(INVENTORY_LINES[1], gnum=3))),
        [("line_unexpected", "CEB621", "gnum")],
        id="inventory_line_extra_case",
    ),
    pytest.param(
        inv_line(2, gname="面霜"), [("line_mismatch", "CEB621", "gname")], id="line_name_case"
    ),
    pytest.param(
        inv_line(2, item_no="B3"), [("line_mismatch", "CEB621", "itemNo")], id="line_item_no_case"
    ),
    pytest.param(
        inv_line(1, qty=D(3), total_price=D(300)),
        [("line_mismatch", "CEB621", "qty"), ("line_mismatch", "CEB621", "totalPrice")],
        id="line_qty_case",
    ),
    pytest.param(
        inv_line(1, price=D(90), total_price=D(180)),
        [("line_mismatch", "CEB621", "price"), ("line_mismatch", "CEB621", "totalPrice")],
        id="line_price_case",
    ),
    pytest.param(
        inv_line(1, total_price=D(199)),
        [
            ("line_total_incorrect", "CEB621", "totalPrice"),
            ("line_mismatch", "CEB621", "totalPrice"),
        ],
        id="inventory_line_total_case",
    ),
]


@pytest.mark.parametrize(("change", "expected"), IMPORT_CASES)
def test_compare_import(change: Change, expected: list[tuple[str, str, str]]) -> None:
    d = change(Docs())
    result = compare_import(
        d.inventory,
        d.order,
        d.payment,
        d.waybill,
        platform_tax_fen=d.platform_tax_fen,
        buyer_identity_verified=d.buyer_ok,
        payer_identity_verified=d.payer_ok,
    )
    got = [(r.code.removeprefix("comparison."), r.document, r.field) for r in result.reasons]
    assert got == expected
    assert result.passed is (expected == [])


def test_amount_reason_names_documents_fields_and_values() -> None:
    result = compare_import(
        INVENTORY,
        ORDER,
        replace(PAYMENT, amount_paid=D("279.2")),
        WAYBILL,
        platform_tax_fen=2371,
        buyer_identity_verified=True,
        payer_identity_verified=True,
    )
    (reason,) = result.reasons
    assert reason.code == "comparison.amount_mismatch"
    assert reason.facts == (("CEB411.amountPaid", "279.20"), ("CEB311.acturalPaid", "279.21"))
    assert reason.message_en == (
        "amounts differ: CEB411 amountPaid is '279.20' but CEB311 acturalPaid is '279.21'"
    )
    assert (
        reason.message_zh
        == "金额不一致：CEB411 amountPaid 为 “279.20”，CEB311 acturalPaid 为 “279.21”"
    )


def test_identity_numbers_are_masked_in_reasons() -> None:
    result = compare_import(
        replace(INVENTORY, buyer_id_number="410102199003071242"),
        ORDER,
        PAYMENT,
        WAYBILL,
        platform_tax_fen=2371,
        buyer_identity_verified=True,
        payer_identity_verified=True,
    )
    (reason,) = result.reasons
    assert reason.facts == (
        ("CEB621.buyerIdNumber", "410102********1242"),
        ("CEB311.buyerIdNumber", "410102********1234"),
    )
    assert BUYER_ID not in reason.message_en and BUYER_ID not in reason.message_zh


def test_tax_reason_states_the_tolerance() -> None:
    result = compare_import(
        INVENTORY,
        ORDER,
        PAYMENT,
        WAYBILL,
        platform_tax_fen=2000,
        buyer_identity_verified=True,
        payer_identity_verified=True,
    )
    (reason,) = result.reasons
    assert reason.facts == (
        ("tolerance", "0.02"),
        ("CEB311.taxTotal", "23.71"),
        ("platform.tax", "20.00"),
    )
