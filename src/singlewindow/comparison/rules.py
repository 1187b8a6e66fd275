"""Three-document comparison (三单比对): an inventory against its order, payment (or receipt) and
waybill (SPEC §4.1, §4.2).

Covers the link keys, the amounts (to the fen), consignee, buyer and payer identity, and the goods
lines by `gnum`. Customs has not published its field-level algorithm; the checks follow the field
definitions of the standard (SPEC §4). Excludes the single and yearly limits (the tax rules judge
them) and enterprise filing (the registry does).
"""

from __future__ import annotations

from singlewindow.comparison.domain import (
    Comparison,
    ExportInventoryFacts,
    ExportOrderFacts,
    ExportWaybillFacts,
    InventoryFacts,
    OrderFacts,
    PaymentFacts,
    Reason,
    ReceiptFacts,
    WaybillFacts,
)
from singlewindow.comparison.goods import goods_lines, goods_value, line_totals
from singlewindow.comparison.reasons import LABELS, amount, mismatch, simple, text_pairs
from singlewindow.kit.money import Fen, format_yuan, yuan_to_fen


def compare_import(
    inventory: InventoryFacts,
    order: OrderFacts,
    payment: PaymentFacts,
    waybill: WaybillFacts,
    *,
    platform_tax_fen: Fen | None,
    buyer_identity_verified: bool,
    payer_identity_verified: bool,
) -> Comparison:
    """CEB621 against CEB311, CEB411 and CEB511. `platform_tax_fen` is the tax the platform
    assessed (None: not assessed, taxTotal not compared); it must equal the order's `taxTotal`
    within 0.01 CNY per goods line. Identity checks (incl. the GB 11643 check digit) are done
    by the caller and passed in."""
    inv, o, pay, wb = "CEB621", "CEB311", "CEB411", "CEB511"
    r: list[Reason] = []
    # Links (SPEC §4.1).
    r += text_pairs(
        "comparison.order_link_mismatch",
        inv,
        o,
        [
            ("orderNo", inventory.order_no, "orderNo", order.order_no),
            ("ebpCode", inventory.ebp_code, "ebpCode", order.ebp_code),
            ("ebcCode", inventory.ebc_code, "ebcCode", order.ebc_code),
        ],
    )
    links = [
        ("orderNo", payment.order_no, "orderNo", order.order_no),
        ("ebpCode", payment.ebp_code, "ebpCode", order.ebp_code),
    ]
    # payCode and payTransactionId are optional in the order; compared when it names them.
    if order.pay_code.strip():
        links.append(("payCode", payment.pay_code, "payCode", order.pay_code))
    if order.pay_transaction_id.strip():
        links.append(
            (
                "payTransactionId",
                payment.pay_transaction_id,
                "payTransactionId",
                order.pay_transaction_id,
            )
        )
    r += text_pairs("comparison.payment_link_mismatch", pay, o, links)
    r += text_pairs(
        "comparison.waybill_link_mismatch",
        wb,
        inv,
        [
            ("logisticsNo", waybill.logistics_no, "logisticsNo", inventory.logistics_no),
            ("logisticsCode", waybill.logistics_code, "logisticsCode", inventory.logistics_code),
        ],
    )
    r += text_pairs(
        "comparison.waybill_link_mismatch",
        wb,
        o,
        [
            ("orderNo", waybill.order_no, "orderNo", order.order_no),
        ],
    )
    # Amounts, to the fen (SPEC22 表3-3).
    r += amount(
        "comparison.amount_mismatch",
        (pay, "amountPaid"),
        payment.amount_paid,
        (o, "acturalPaid"),
        order.actural_paid,
    )
    r += amount(
        "comparison.actural_paid_incorrect",
        (o, "acturalPaid"),
        order.actural_paid,
        (o, "goodsValue+freight+taxTotal-discount"),
        order.goods_value + order.freight + order.tax_total - order.discount,
    )
    r += goods_value(o, order.goods_value, order.lines)
    r += line_totals(o, order.lines)
    r += line_totals(inv, inventory.lines)
    if platform_tax_fen is not None:
        tolerance = max(1, len(order.lines))  # 0.01 CNY per goods line
        declared = yuan_to_fen(order.tax_total)
        if abs(declared - platform_tax_fen) > tolerance:
            r.append(
                mismatch(
                    "comparison.tax_mismatch",
                    (o, "taxTotal"),
                    format_yuan(declared),
                    ("platform", "tax"),
                    format_yuan(platform_tax_fen),
                    ("tolerance", format_yuan(tolerance)),
                )
            )
    # Consignee: the order's must be the waybill's (SPEC22 表3-3); the inventory's address too.
    r += text_pairs(
        "comparison.consignee_mismatch",
        wb,
        o,
        [
            ("consignee", waybill.consignee, "consignee", order.consignee),
            (
                "consigneeTelephone",
                waybill.consignee_telephone,
                "consigneeTelephone",
                order.consignee_telephone,
            ),
            (
                "consigneeAddress",
                waybill.consignee_address,
                "consigneeAddress",
                order.consignee_address,
            ),
        ],
    )
    r += text_pairs(
        "comparison.consignee_mismatch",
        inv,
        o,
        [
            (
                "consigneeAddress",
                inventory.consignee_address,
                "consigneeAddress",
                order.consignee_address,
            ),
        ],
    )
    # Buyer and payer (SPEC22 表3-31; 194号: the payer is the buyer).
    r += text_pairs(
        "comparison.buyer_mismatch",
        inv,
        o,
        [
            ("buyerIdType", inventory.buyer_id_type, "buyerIdType", order.buyer_id_type),
            ("buyerIdNumber", inventory.buyer_id_number, "buyerIdNumber", order.buyer_id_number),
            ("buyerName", inventory.buyer_name, "buyerName", order.buyer_name),
            ("buyerTelephone", inventory.buyer_telephone, "buyerTelephone", order.buyer_telephone),
        ],
    )
    r += text_pairs(
        "comparison.payer_not_buyer",
        pay,
        o,
        [
            ("payerIdType", payment.payer_id_type, "buyerIdType", order.buyer_id_type),
            ("payerIdNumber", payment.payer_id_number, "buyerIdNumber", order.buyer_id_number),
            ("payerName", payment.payer_name, "buyerName", order.buyer_name),
        ],
    )
    if not buyer_identity_verified:
        r.append(
            simple(
                "comparison.buyer_identity_unverified",
                inv,
                "buyerIdNumber",
                (f"{inv}.buyerIdNumber", inventory.buyer_id_number),
            )
        )
    if not payer_identity_verified:
        r.append(
            simple(
                "comparison.payer_identity_unverified",
                pay,
                "payerIdNumber",
                (f"{pay}.payerIdNumber", payment.payer_id_number),
            )
        )
    r += goods_lines(inv, inventory.lines, o, order.lines)
    return Comparison(passed=not r, reasons=tuple(r))


def compare_export(
    inventory: ExportInventoryFacts,
    order: ExportOrderFacts,
    receipt: ReceiptFacts,
    waybill: ExportWaybillFacts,
) -> Comparison:
    """CEB603 against CEB303, CEB403 and CEB505: links, the receipt's `charge` = the order's
    goodsValue + freight (to the fen), goods value and line arithmetic, lines by `gnum`."""
    inv, o, rc, wb = "CEB603", "CEB303", "CEB403", "CEB505"
    r: list[Reason] = []
    r += text_pairs(
        "comparison.order_link_mismatch",
        inv,
        o,
        [
            ("orderNo", inventory.order_no, "orderNo", order.order_no),
            ("ebpCode", inventory.ebp_code, "ebpCode", order.ebp_code),
            ("ebcCode", inventory.ebc_code, "ebcCode", order.ebc_code),
        ],
    )
    r += text_pairs(
        "comparison.receipt_link_mismatch",
        rc,
        o,
        [
            ("orderNo", receipt.order_no, "orderNo", order.order_no),
            ("ebpCode", receipt.ebp_code, "ebpCode", order.ebp_code),
            ("ebcCode", receipt.ebc_code, "ebcCode", order.ebc_code),
        ],
    )
    r += text_pairs(
        "comparison.waybill_link_mismatch",
        wb,
        inv,
        [
            ("logisticsNo", waybill.logistics_no, "logisticsNo", inventory.logistics_no),
            ("logisticsCode", waybill.logistics_code, "logisticsCode", inventory.logistics_code),
        ],
    )
    r += amount(
        "comparison.amount_mismatch",
        (rc, "charge"),
        receipt.charge,
        (o, "goodsValue+freight"),
        order.goods_value + order.freight,
    )
    r += goods_value(o, order.goods_value, order.lines)
    r += line_totals(o, order.lines)
    r += line_totals(inv, inventory.lines)
    r += goods_lines(inv, inventory.lines, o, order.lines)
    return Comparison(passed=not r, reasons=tuple(r))


def missing_documents(
    *,
    direction: str,
    order: object | None,
    waybill: object | None,
    payment: object | None = None,
    receipt: object | None = None,
) -> tuple[Reason, ...]:
    """Which of the three documents an inventory waits for. Import ("I"): order, payment,
    waybill; export ("E"): order, receipt, waybill."""
    if direction not in ("I", "E"):
        raise ValueError(f"direction must be 'I' or 'E', not {direction!r}")
    roles: list[tuple[str, object | None, str]] = [
        ("order", order, "CEB311" if direction == "I" else "CEB303"),
        ("payment", payment, "CEB411") if direction == "I" else ("receipt", receipt, "CEB403"),
        ("waybill", waybill, "CEB511" if direction == "I" else "CEB505"),
    ]
    reasons = []
    for role, fact, document in roles:
        if fact is None:
            zh, en = LABELS[f"comparison.{role}_missing"]
            reasons.append(
                Reason(
                    code=f"comparison.{role}_missing",
                    message_zh=f"{zh}（{document}）",
                    message_en=f"{en} ({document})",
                    document=document,
                    facts=(("document", document),),
                )
            )
    return tuple(reasons)
