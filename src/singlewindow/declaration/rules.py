"""Pure rules over one document: its keys, its codes against the national tables, its arithmetic.

A record here is the standard's JSON form of one business node: element names as keys, heads as
objects, repeatable lists as arrays, leaves as the strings written (see `message.record_to_json`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from singlewindow.declaration.domain import RecordKeys
from singlewindow.kit.errors import Problem

Record = Mapping[str, Any]


def head_of(record: Record) -> Mapping[str, str]:
    """The head of a record (`OrderHead`, `InventoryHead` …) or the record itself when flat."""
    for name, value in record.items():
        if name.endswith("Head") and isinstance(value, Mapping):
            return value
    return record


def lines_of(record: Record) -> list[Mapping[str, str]]:
    """The repeatable body lines (`OrderList`, `InventoryList`, `ArrivalList` …), or none."""
    for name, value in record.items():
        if name.endswith("List") and isinstance(value, list):
            return value
    return []


def record_keys(record: Record) -> RecordKeys:
    h = head_of(record)
    return RecordKeys(
        guid=h.get("guid", ""),
        order_no=h.get("orderNo", ""),
        ebp_code=h.get("ebpCode", ""),
        ebc_code=h.get("ebcCode", ""),
        logistics_code=h.get("logisticsCode", ""),
        logistics_no=h.get("logisticsNo", ""),
        invt_no=h.get("invtNo") or "",
        pay_code=h.get("payCode") or "",
        pay_transaction_id=h.get("payTransactionId") or "",
        agent_code=h.get("agentCode") or "",
        app_type=h.get("appType", "1"),
        app_status=h.get("appStatus") or "2",
    )


@dataclass(frozen=True, slots=True)
class CodeTables:
    """National code sets, by the element names they judge."""

    by_field: Mapping[str, frozenset[str]]


# Which table judges which element (declaration/data/codes/SOURCES.md). wrapType and
# consigneeDistrict are left out: their public tables are known to be incomplete (SPEC §12).
CODE_FIELDS: Mapping[str, str] = {
    "currency": "currency",
    "country": "country",
    "tradeCountry": "country",
    "unit": "unit",
    "unit1": "unit",
    "unit2": "unit",
    "customsCode": "customs_district",
    "portCode": "customs_district",
    "trafMode": "transport_mode",
    "tradeMode": "trade_mode",
}


def check_codes(record: Record, tables: CodeTables, *, where: str, label: str) -> list[Problem]:
    """Every coded element of the record must be a code of its national table."""
    problems: list[Problem] = []

    def judge(node: Mapping[str, Any], path: str) -> None:
        for name, value in node.items():
            if type(value) is str:  # most elements: no abstract-class check needed
                if not value or name not in CODE_FIELDS:
                    continue
            elif isinstance(value, Mapping):
                judge(value, f"{path}/{name}")
                continue
            elif isinstance(value, list):
                for i, item in enumerate(value, 1):
                    if isinstance(item, Mapping):
                        judge(item, f"{path}/{name}[{i}]")
                continue
            if name in CODE_FIELDS and value:
                table = CODE_FIELDS[name]
                if value not in tables.by_field[table]:
                    problems.append(
                        Problem(
                            "code.unknown",
                            f"{name} 的值 {value} 不在国家代码表《{table}》中",
                            f"{name} value {value!r} is not a code of the national table {table}",
                            path=f"{path}/{name}",
                            record=label,
                        )
                    )

    judge(record, where)
    return problems


def _dec(value: str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _fen(amount: Decimal) -> Decimal:
    # Amounts in documents are compared to the fen (0.01 CNY), per the clearance issue.
    return amount.quantize(Decimal("0.01"))


def _mismatch(code: str, path: str, label: str, what_zh: str, what_en: str) -> Problem:
    return Problem(code, what_zh, what_en, path=path, record=label)


def check_arithmetic(message_type: str, record: Record, *, where: str, label: str) -> list[Problem]:
    """A document's own sums: line totals = price × qty; order totals add up (SPEC §2.1)."""
    problems: list[Problem] = []
    head = head_of(record)
    head_name = next((n for n in record if n.endswith("Head")), "")
    head_path = f"{where}/{head_name}" if head_name else where
    list_name = next(
        (n for n, v in record.items() if n.endswith("List") and isinstance(v, list)), ""
    )
    line_sum = Decimal(0)
    for i, line in enumerate(lines_of(record), 1):
        qty, price, total = (
            _dec(line.get("qty")),
            _dec(line.get("price")),
            _dec(line.get("totalPrice")),
        )
        if total is not None:
            line_sum += total
        if qty is None or price is None or total is None:
            continue
        gnum = line.get("gnum", str(i))
        if _fen(qty * price) != _fen(total):
            problems.append(
                _mismatch(
                    "arithmetic.line_total",
                    f"{where}/{list_name}[{i}]/totalPrice",
                    label,
                    f"第 {gnum} 项商品总价 {total} 不等于单价 {price} × 数量 {qty}",
                    f"line {gnum}: totalPrice {total} is not price {price} × qty {qty}",
                )
            )
    if message_type in ("CEB311", "CEB303"):
        goods = _dec(head.get("goodsValue"))
        if goods is not None and lines_of(record) and _fen(goods) != _fen(line_sum):
            problems.append(
                _mismatch(
                    "arithmetic.goods_value",
                    f"{head_path}/goodsValue",
                    label,
                    f"商品价格 goodsValue {goods} 不等于各项商品总价之和 {line_sum}",
                    f"goodsValue {goods} is not the sum of the lines' totalPrice {line_sum}",
                )
            )
    if message_type == "CEB311":
        parts = [_dec(head.get(n)) for n in ("goodsValue", "freight", "taxTotal", "discount")]
        paid = _dec(head.get("acturalPaid"))
        if paid is not None and all(p is not None for p in parts):
            goods, freight, tax, discount = (p or Decimal(0) for p in parts)
            expected = goods + freight + tax - discount
            if _fen(paid) != _fen(expected):
                problems.append(
                    _mismatch(
                        "arithmetic.actural_paid",
                        f"{head_path}/acturalPaid",
                        label,
                        f"实际支付金额 acturalPaid {paid} 不等于 goodsValue + freight + taxTotal − "
                        f"discount = {expected}",
                        f"acturalPaid {paid} is not goodsValue + freight + taxTotal − discount"
                        f" = {expected}",
                    )
                )
    return problems
