"""From stored documents (the standard's JSON form) to the frozen facts the rules judge."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from singlewindow.comparison.domain import (
    ExportInventoryFacts,
    ExportOrderFacts,
    ExportWaybillFacts,
    GoodsLine,
    InventoryFacts,
    InventoryLine,
    OrderFacts,
    PaymentFacts,
    ReceiptFacts,
    WaybillFacts,
)
from singlewindow.declaration.rules import head_of, lines_of
from singlewindow.kit.money import format_yuan
from singlewindow.tax.domain import TaxableLine


def _d(value: str | None) -> Decimal:
    return Decimal(value) if value not in (None, "") else Decimal(0)


def _s(head: Mapping[str, Any], name: str) -> str:
    return str(head.get(name) or "")


def goods_lines(record: Mapping[str, Any]) -> tuple[GoodsLine, ...]:
    return tuple(
        GoodsLine(
            gnum=int(line["gnum"]),
            item_no=_s(line, "itemNo"),
            name=_s(line, "itemName"),
            qty=_d(line.get("qty")),
            price=_d(line.get("price")),
            total_price=_d(line.get("totalPrice")),
        )
        for line in lines_of(record)
    )


def order_facts(record: Mapping[str, Any]) -> OrderFacts:
    h = head_of(record)
    return OrderFacts(
        order_no=_s(h, "orderNo"),
        ebp_code=_s(h, "ebpCode"),
        ebc_code=_s(h, "ebcCode"),
        goods_value=_d(h.get("goodsValue")),
        freight=_d(h.get("freight")),
        discount=_d(h.get("discount")),
        tax_total=_d(h.get("taxTotal")),
        actural_paid=_d(h.get("acturalPaid")),
        buyer_id_type=_s(h, "buyerIdType"),
        buyer_id_number=_s(h, "buyerIdNumber"),
        buyer_name=_s(h, "buyerName"),
        buyer_telephone=_s(h, "buyerTelephone"),
        consignee=_s(h, "consignee"),
        consignee_telephone=_s(h, "consigneeTelephone"),
        consignee_address=_s(h, "consigneeAddress"),
        pay_code=_s(h, "payCode"),
        pay_transaction_id=_s(h, "payTransactionId"),
        lines=goods_lines(record),
    )


def payment_facts(record: Mapping[str, Any]) -> PaymentFacts:
    h = head_of(record)
    return PaymentFacts(
        pay_code=_s(h, "payCode"),
        pay_transaction_id=_s(h, "payTransactionId"),
        order_no=_s(h, "orderNo"),
        ebp_code=_s(h, "ebpCode"),
        payer_id_type=_s(h, "payerIdType"),
        payer_id_number=_s(h, "payerIdNumber"),
        payer_name=_s(h, "payerName"),
        amount_paid=_d(h.get("amountPaid")),
    )


def waybill_facts(record: Mapping[str, Any]) -> WaybillFacts:
    h = head_of(record)
    return WaybillFacts(
        logistics_code=_s(h, "logisticsCode"),
        logistics_no=_s(h, "logisticsNo"),
        order_no=_s(h, "orderNo"),
        consignee=_s(h, "consignee"),
        consignee_telephone=_s(h, "consigneeTelephone"),
        consignee_address=_s(h, "consigneeAddress"),
        freight=_d(h.get("freight")),
    )


def inventory_lines(record: Mapping[str, Any]) -> tuple[InventoryLine, ...]:
    return tuple(
        InventoryLine(
            gnum=int(line["gnum"]),
            gcode=_s(line, "gcode"),
            item_no=_s(line, "itemNo"),
            gname=_s(line, "gname"),
            qty=_d(line.get("qty")),
            price=_d(line.get("price")),
            total_price=_d(line.get("totalPrice")),
            qty1=_d(line.get("qty1")),
            unit1=_s(line, "unit1"),
        )
        for line in lines_of(record)
    )


def inventory_facts(record: Mapping[str, Any]) -> InventoryFacts:
    h = head_of(record)
    return InventoryFacts(
        order_no=_s(h, "orderNo"),
        ebp_code=_s(h, "ebpCode"),
        ebc_code=_s(h, "ebcCode"),
        logistics_code=_s(h, "logisticsCode"),
        logistics_no=_s(h, "logisticsNo"),
        buyer_id_type=_s(h, "buyerIdType"),
        buyer_id_number=_s(h, "buyerIdNumber"),
        buyer_name=_s(h, "buyerName"),
        buyer_telephone=_s(h, "buyerTelephone"),
        consignee_address=_s(h, "consigneeAddress"),
        freight=_d(h.get("freight")),
        insured_fee=_d(h.get("insuredFee")),
        lines=inventory_lines(record),
    )


def taxable_lines(record: Mapping[str, Any]) -> tuple[TaxableLine, ...]:
    return tuple(
        TaxableLine(
            gnum=int(line["gnum"]),
            hs_code=_s(line, "gcode"),
            total_price=_d(line.get("totalPrice")),
            qty=_d(line.get("qty")),
            qty1=_d(line.get("qty1")),
            unit1=_s(line, "unit1"),
            name=_s(line, "gname"),
        )
        for line in lines_of(record)
    )


def export_order_facts(record: Mapping[str, Any]) -> ExportOrderFacts:
    h = head_of(record)
    return ExportOrderFacts(
        order_no=_s(h, "orderNo"),
        ebp_code=_s(h, "ebpCode"),
        ebc_code=_s(h, "ebcCode"),
        goods_value=_d(h.get("goodsValue")),
        freight=_d(h.get("freight")),
        lines=goods_lines(record),
    )


def receipt_facts(record: Mapping[str, Any]) -> ReceiptFacts:
    h = head_of(record)
    return ReceiptFacts(
        order_no=_s(h, "orderNo"),
        ebp_code=_s(h, "ebpCode"),
        ebc_code=_s(h, "ebcCode"),
        charge=_d(h.get("charge")),
        pay_code=_s(h, "payCode"),
    )


def export_waybill_facts(record: Mapping[str, Any]) -> ExportWaybillFacts:
    h = head_of(record)
    return ExportWaybillFacts(
        logistics_code=_s(h, "logisticsCode"),
        logistics_no=_s(h, "logisticsNo"),
        freight=_d(h.get("freight")),
    )


def export_inventory_facts(record: Mapping[str, Any]) -> ExportInventoryFacts:
    h = head_of(record)
    return ExportInventoryFacts(
        order_no=_s(h, "orderNo"),
        ebp_code=_s(h, "ebpCode"),
        ebc_code=_s(h, "ebcCode"),
        logistics_code=_s(h, "logisticsCode"),
        logistics_no=_s(h, "logisticsNo"),
        lines=inventory_lines(record),
    )


def reason_dict(reason: Any) -> dict[str, Any]:
    """A rule's reason as stored in a verdict's facts."""
    return {
        "code": reason.code,
        "document": getattr(reason, "document", ""),
        "field": getattr(reason, "field", ""),
        "message_zh": reason.message_zh,
        "message_en": reason.message_en,
        "facts": dict(getattr(reason, "facts", ())),
    }


def tax_dict(assessment: Any) -> dict[str, Any]:
    """A tax assessment as stored in a verdict's facts (yuan strings, two decimals)."""
    return {
        "dutiable_value": format_yuan(assessment.dutiable_value_fen),
        "tariff": format_yuan(assessment.tariff_fen),
        "vat": format_yuan(assessment.vat_fen),
        "consumption_tax": format_yuan(assessment.consumption_tax_fen),
        "total": format_yuan(assessment.total_fen),
        "preferential": assessment.preferential,
        "allowed": assessment.allowed,
        "reasons": [r.code for r in assessment.reasons],
    }
