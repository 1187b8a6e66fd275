"""Reasons of the three-document comparison: the catalogue of codes and the builders that name
the document, the field and the values compared."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from singlewindow.comparison.domain import Reason
from singlewindow.kit.money import format_yuan, yuan_to_fen

# code -> (what disagrees, in Chinese and English)
LABELS: Mapping[str, tuple[str, str]] = {
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


def mismatch(
    code: str,
    at: tuple[str, str],
    actual: str,
    against: tuple[str, str],
    expected: str,
    *extra: tuple[str, str],
) -> Reason:
    """`at` (document, field) says `actual` where `against` (document, field) says `expected`."""
    zh, en = LABELS[code]
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


def simple(code: str, document: str, field: str, *facts: tuple[str, str]) -> Reason:
    zh, en = LABELS[code]
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


def text_pairs(
    code: str,
    at: str,
    against: str,
    pairs: Iterable[tuple[str, str, str, str]],
) -> list[Reason]:
    """(field at `at`, its value, field at `against`, its value) that must be equal."""
    return [
        mismatch(code, (at, field), value, (against, other_field), other)
        for field, value, other_field, other in pairs
        if value.strip() != other.strip()
    ]


def yuan(value: Decimal) -> str:
    return format_yuan(yuan_to_fen(value))


def amount(
    code: str, at: tuple[str, str], actual: Decimal, against: tuple[str, str], expected: Decimal
) -> list[Reason]:
    """Amounts agree when equal to the fen (half-up)."""
    if yuan_to_fen(actual) == yuan_to_fen(expected):
        return []
    return [mismatch(code, at, yuan(actual), against, yuan(expected))]


def plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
