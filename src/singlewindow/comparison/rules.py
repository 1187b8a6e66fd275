"""Three-document comparison (三单比对): an inventory against its order, payment (or receipt) and
waybill (SPEC §4.1, §4.2).

Covers the link keys, the amounts (to the fen), consignee, buyer and payer identity, and the goods
lines by `gnum`. Customs has not published its field-level algorithm; the checks follow the field
definitions of the standard (SPEC §4). Excludes the single and yearly limits (the tax rules judge
them) and enterprise filing (the registry does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from singlewindow.comparison.domain import (
    Comparison,
    ExportInventoryFacts,
    ExportOrderFacts,
    ExportWaybillFacts,
    GoodsLine,
    InventoryFacts,
    InventoryLine,
    OrderFacts,
    PaymentFacts,
    Reason,
    ReceiptFacts,
    WaybillFacts,
)
from singlewindow.kit.money import Fen, format_yuan, yuan_to_fen

# code -> (what disagrees, in Chinese and English)
_LABELS: Mapping[str, tuple[str, str]] = {
    "comparison.order_link_mismatch": (
        "清单与订单关联项不一致",
        "inventory does not link to order",
    ),
    "comparison.payment_link_mismatch": (
        "支付单与订单关联项不一致",
        "payment does not link to order",
    ),
    "comparison.receipt_link_mismatch": (
        "收款单与订单关联项不一致",
        "receipt does not link to order",
    ),
    "comparison.waybill_link_mismatch": ("运单关联项不一致", "waybill does not link"),
    "comparison.amount_mismatch": ("金额不一致", "amounts differ"),
    "comparison.actural_paid_incorrect": (
        "实际支付金额不等于商品价格+运杂费+代扣税款-非现金抵扣金额",
        "acturalPaid is not goodsValue + freight + taxTotal - discount",
    ),
    "comparison.goods_value_incorrect": (
        "商品价格不等于各商品总价之和",
        "goodsValue is not the sum of the lines' totalPrice",
    ),
    "comparison.line_total_incorrect": (
        "商品总价不等于单价乘以数量",
        "totalPrice is not price × qty",
    ),
    "comparison.tax_mismatch": (
        "代扣税款与平台计算的税款不一致",
        "taxTotal differs from the tax the platform computed",
    ),
    "comparison.consignee_mismatch": ("收货人信息不一致", "consignee differs"),
    "comparison.buyer_mismatch": ("订购人信息不一致", "buyer differs"),
    "comparison.payer_not_buyer": ("支付人与订购人不一致", "payer is not the buyer"),
    "comparison.buyer_identity_unverified": (
        "订购人身份未通过核验",
        "buyer's identity is not verified",
    ),
    "comparison.payer_identity_unverified": (
        "支付人身份未通过核验",
        "payer's identity is not verified",
    ),
    "comparison.line_missing": (
        "订单商品项在清单中缺失",
        "order goods line missing from inventory",
    ),
    "comparison.line_unexpected": ("清单商品项在订单中不存在", "inventory goods line not in order"),
    "comparison.line_mismatch": (
        "清单商品项与订单不一致",
        "inventory goods line differs from order",
    ),
    "comparison.order_missing": ("缺少电子订单", "the order is missing"),
    "comparison.payment_missing": ("缺少支付凭证", "the payment is missing"),
    "comparison.receipt_missing": ("缺少收款单", "the receipt is missing"),
    "comparison.waybill_missing": ("缺少物流运单", "the waybill is missing"),
}
# Personal data shown masked in reasons (the officer sees the full record elsewhere, by role).
_MASKED_FIELDS = frozenset(
    {"buyerIdNumber", "payerIdNumber", "buyerTelephone", "consigneeTelephone"}
)


def _mask(field: str, value: str) -> str:
    if field not in _MASKED_FIELDS or len(value) <= 4:
        return value
    keep = 3 if len(value) <= 11 else 6
    return value[:keep] + "*" * (len(value) - keep - 4) + value[-4:]


def _mismatch(
    code: str,
    at: tuple[str, str],
    actual: str,
    against: tuple[str, str],
    expected: str,
    *extra: tuple[str, str],
) -> Reason:
    """`at` (document, field) says `actual` where `against` (document, field) says `expected`."""
    zh, en = _LABELS[code]
    (doc, field), (other_doc, other_field) = at, against
    shown, wanted = _mask(field, actual), _mask(other_field, expected)
    where = "".join(f" [{k} {v}]" for k, v in extra)
    return Reason(
        code=code,
        message_zh=f"{zh}：{doc} {field} 为 “{shown}”，"
        f"{other_doc} {other_field} 为 “{wanted}”{where}",
        message_en=f"{en}: {doc} {field} is '{shown}' but {other_doc} {other_field} is '{wanted}'"
        f"{where}",
        document=doc,
        field=field,
        facts=(*extra, (f"{doc}.{field}", shown), (f"{other_doc}.{other_field}", wanted)),
    )


def _simple(code: str, document: str, field: str, *facts: tuple[str, str]) -> Reason:
    zh, en = _LABELS[code]
    shown = tuple((k, _mask(k.rsplit(".", 1)[-1], v)) for k, v in facts)
    where = "".join(f" [{k} {v}]" for k, v in shown)
    return Reason(
        code=code,
        message_zh=f"{zh}：{document} {field}{where}",
        message_en=f"{en}: {document} {field}{where}",
        document=document,
        field=field,
        facts=shown,
    )


def _text_pairs(
    code: str,
    at: str,
    against: str,
    pairs: Iterable[tuple[str, str, str, str]],
) -> list[Reason]:
    """(field at `at`, its value, field at `against`, its value) that must be equal."""
    return [
        _mismatch(code, (at, field), value, (against, other_field), other)
        for field, value, other_field, other in pairs
        if value.strip() != other.strip()
    ]


def _yuan(value: Decimal) -> str:
    return format_yuan(yuan_to_fen(value))


def _amount(
    code: str, at: tuple[str, str], actual: Decimal, against: tuple[str, str], expected: Decimal
) -> list[Reason]:
    """Amounts agree when equal to the fen (half-up)."""
    if yuan_to_fen(actual) == yuan_to_fen(expected):
        return []
    return [_mismatch(code, at, _yuan(actual), against, _yuan(expected))]


def _goods_value(document: str, goods_value: Decimal, lines: Sequence[GoodsLine]) -> list[Reason]:
    total = sum((ln.total_price for ln in lines), Decimal(0))
    return _amount(
        "comparison.goods_value_incorrect",
        (document, "goodsValue"),
        goods_value,
        (document, "Σ totalPrice"),
        total,
    )


def _line_totals(document: str, lines: Iterable[GoodsLine | InventoryLine]) -> list[Reason]:
    reasons = []
    for ln in lines:
        if yuan_to_fen(ln.total_price) != yuan_to_fen(ln.price * ln.qty):
            reasons.append(
                _mismatch(
                    "comparison.line_total_incorrect",
                    (document, "totalPrice"),
                    _yuan(ln.total_price),
                    (document, "price × qty"),
                    _yuan(ln.price * ln.qty),
                    ("gnum", str(ln.gnum)),
                )
            )
    return reasons


def _lines(
    inventory_doc: str,
    inventory_lines: Sequence[InventoryLine],
    order_doc: str,
    order_lines: Sequence[GoodsLine],
) -> list[Reason]:
    """Inventory lines one-to-one with order lines by `gnum`; name, item, qty, price and total
    equal."""
    ours = {ln.gnum: ln for ln in inventory_lines}
    theirs = {ln.gnum: ln for ln in order_lines}
    reasons: list[Reason] = []
    for gnum in sorted(theirs.keys() - ours.keys()):
        reasons.append(
            _simple(
                "comparison.line_missing", inventory_doc, "gnum", (f"{order_doc}.gnum", str(gnum))
            )
        )
    for gnum in sorted(ours.keys() - theirs.keys()):
        reasons.append(
            _simple(
                "comparison.line_unexpected",
                inventory_doc,
                "gnum",
                (f"{inventory_doc}.gnum", str(gnum)),
            )
        )
    for gnum in sorted(ours.keys() & theirs.keys()):
        inv, order = ours[gnum], theirs[gnum]
        where = ("gnum", str(gnum))
        if inv.gname.strip() != order.name.strip():
            reasons.append(
                _mismatch(
                    "comparison.line_mismatch",
                    (inventory_doc, "gname"),
                    inv.gname,
                    (order_doc, "itemName"),
                    order.name,
                    where,
                )
            )
        if inv.item_no.strip() and order.item_no.strip() and inv.item_no != order.item_no:
            reasons.append(
                _mismatch(
                    "comparison.line_mismatch",
                    (inventory_doc, "itemNo"),
                    inv.item_no,
                    (order_doc, "itemNo"),
                    order.item_no,
                    where,
                )
            )
        if inv.qty != order.qty:
            reasons.append(
                _mismatch(
                    "comparison.line_mismatch",
                    (inventory_doc, "qty"),
                    _plain(inv.qty),
                    (order_doc, "qty"),
                    _plain(order.qty),
                    where,
                )
            )
        for field, mine, other in (
            ("price", inv.price, order.price),
            ("totalPrice", inv.total_price, order.total_price),
        ):
            if yuan_to_fen(mine) != yuan_to_fen(other):
                reasons.append(
                    _mismatch(
                        "comparison.line_mismatch",
                        (inventory_doc, field),
                        _yuan(mine),
                        (order_doc, field),
                        _yuan(other),
                        where,
                    )
                )
    return reasons


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


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
    r += _text_pairs(
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
    r += _text_pairs("comparison.payment_link_mismatch", pay, o, links)
    r += _text_pairs(
        "comparison.waybill_link_mismatch",
        wb,
        inv,
        [
            ("logisticsNo", waybill.logistics_no, "logisticsNo", inventory.logistics_no),
            ("logisticsCode", waybill.logistics_code, "logisticsCode", inventory.logistics_code),
        ],
    )
    r += _text_pairs(
        "comparison.waybill_link_mismatch",
        wb,
        o,
        [
            ("orderNo", waybill.order_no, "orderNo", order.order_no),
        ],
    )
    # Amounts, to the fen (SPEC22 表3-3).
    r += _amount(
        "comparison.amount_mismatch",
        (pay, "amountPaid"),
        payment.amount_paid,
        (o, "acturalPaid"),
        order.actural_paid,
    )
    r += _amount(
        "comparison.actural_paid_incorrect",
        (o, "acturalPaid"),
        order.actural_paid,
        (o, "goodsValue+freight+taxTotal-discount"),
        order.goods_value + order.freight + order.tax_total - order.discount,
    )
    r += _goods_value(o, order.goods_value, order.lines)
    r += _line_totals(o, order.lines)
    r += _line_totals(inv, inventory.lines)
    if platform_tax_fen is not None:
        tolerance = max(1, len(order.lines))  # 0.01 CNY per goods line
        declared = yuan_to_fen(order.tax_total)
        if abs(declared - platform_tax_fen) > tolerance:
            r.append(
                _mismatch(
                    "comparison.tax_mismatch",
                    (o, "taxTotal"),
                    format_yuan(declared),
                    ("platform", "tax"),
                    format_yuan(platform_tax_fen),
                    ("tolerance", format_yuan(tolerance)),
                )
            )
    # Consignee: the order's must be the waybill's (SPEC22 表3-3); the inventory's address too.
    r += _text_pairs(
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
    r += _text_pairs(
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
    r += _text_pairs(
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
    r += _text_pairs(
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
            _simple(
                "comparison.buyer_identity_unverified",
                inv,
                "buyerIdNumber",
                (f"{inv}.buyerIdNumber", inventory.buyer_id_number),
            )
        )
    if not payer_identity_verified:
        r.append(
            _simple(
                "comparison.payer_identity_unverified",
                pay,
                "payerIdNumber",
                (f"{pay}.payerIdNumber", payment.payer_id_number),
            )
        )
    r += _lines(inv, inventory.lines, o, order.lines)
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
    r += _text_pairs(
        "comparison.order_link_mismatch",
        inv,
        o,
        [
            ("orderNo", inventory.order_no, "orderNo", order.order_no),
            ("ebpCode", inventory.ebp_code, "ebpCode", order.ebp_code),
            ("ebcCode", inventory.ebc_code, "ebcCode", order.ebc_code),
        ],
    )
    r += _text_pairs(
        "comparison.receipt_link_mismatch",
        rc,
        o,
        [
            ("orderNo", receipt.order_no, "orderNo", order.order_no),
            ("ebpCode", receipt.ebp_code, "ebpCode", order.ebp_code),
            ("ebcCode", receipt.ebc_code, "ebcCode", order.ebc_code),
        ],
    )
    r += _text_pairs(
        "comparison.waybill_link_mismatch",
        wb,
        inv,
        [
            ("logisticsNo", waybill.logistics_no, "logisticsNo", inventory.logistics_no),
            ("logisticsCode", waybill.logistics_code, "logisticsCode", inventory.logistics_code),
        ],
    )
    r += _amount(
        "comparison.amount_mismatch",
        (rc, "charge"),
        receipt.charge,
        (o, "goodsValue+freight"),
        order.goods_value + order.freight,
    )
    r += _goods_value(o, order.goods_value, order.lines)
    r += _line_totals(o, order.lines)
    r += _line_totals(inv, inventory.lines)
    r += _lines(inv, inventory.lines, o, order.lines)
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
            zh, en = _LABELS[f"comparison.{role}_missing"]
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
