"""Frozen facts of the documents compared with an inventory (三单比对, SPEC §4), and the result.

Field names are the standard's in snake_case (even `actural_paid`); amounts stay the exact
decimals the documents wrote (N19,5).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Reason:
    """One disagreement: a stable code, messages naming the document and field, the values."""

    code: str
    message_zh: str
    message_en: str
    document: str = ""
    field: str = ""
    facts: tuple[tuple[str, str], ...] = ()
    # The customs standard's negative returnStatus for the same refusal (SPEC §3.3), if any.
    error_code: int | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    passed: bool
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class GoodsLine:
    """An order goods line (CEB311/CEB303 `OrderList`)."""

    gnum: int
    item_no: str
    name: str  # itemName
    qty: Decimal
    price: Decimal
    total_price: Decimal


@dataclass(frozen=True, slots=True)
class InventoryLine:
    """An inventory goods line (CEB621/CEB603 `InventoryList`)."""

    gnum: int
    gcode: str
    item_no: str
    gname: str
    qty: Decimal
    price: Decimal
    total_price: Decimal
    qty1: Decimal = Decimal(0)
    unit1: str = ""


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """CEB311 import order head and lines."""

    order_no: str
    ebp_code: str
    ebc_code: str
    goods_value: Decimal
    freight: Decimal
    discount: Decimal
    tax_total: Decimal
    actural_paid: Decimal
    buyer_id_type: str
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    consignee: str
    consignee_telephone: str
    consignee_address: str
    pay_code: str
    pay_transaction_id: str
    lines: tuple[GoodsLine, ...]


@dataclass(frozen=True, slots=True)
class PaymentFacts:
    """CEB411 payment."""

    pay_code: str
    pay_transaction_id: str
    order_no: str
    ebp_code: str
    payer_id_type: str
    payer_id_number: str
    payer_name: str
    amount_paid: Decimal


@dataclass(frozen=True, slots=True)
class WaybillFacts:
    """CEB511 import waybill."""

    logistics_code: str
    logistics_no: str
    order_no: str
    consignee: str
    consignee_telephone: str
    consignee_address: str
    freight: Decimal


@dataclass(frozen=True, slots=True)
class InventoryFacts:
    """CEB621 import inventory head and lines."""

    order_no: str
    ebp_code: str
    ebc_code: str
    logistics_code: str
    logistics_no: str
    buyer_id_type: str
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    consignee_address: str
    freight: Decimal
    insured_fee: Decimal
    lines: tuple[InventoryLine, ...]


@dataclass(frozen=True, slots=True)
class ExportOrderFacts:
    """CEB303 export order."""

    order_no: str
    ebp_code: str
    ebc_code: str
    goods_value: Decimal
    freight: Decimal
    lines: tuple[GoodsLine, ...]


@dataclass(frozen=True, slots=True)
class ReceiptFacts:
    """CEB403 收款单 (receipt of payment)."""

    order_no: str
    ebp_code: str
    ebc_code: str
    charge: Decimal
    pay_code: str


@dataclass(frozen=True, slots=True)
class ExportWaybillFacts:
    """CEB505 export waybill (flat `Logistics`)."""

    logistics_code: str
    logistics_no: str
    freight: Decimal


@dataclass(frozen=True, slots=True)
class ExportInventoryFacts:
    """CEB603 export inventory."""

    order_no: str
    ebp_code: str
    ebc_code: str
    logistics_code: str
    logistics_no: str
    lines: tuple[InventoryLine, ...]
