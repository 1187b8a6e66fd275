"""Builders of the clearance tests: a small filed zone, parcels, and the CEB XML of each document.

Element names and their order follow the customs' field tables (`singlewindow/message/data/
fields`); the ten demo types reuse the demo's layout, CEB623/625 are written here. A `Doc` is the
head and lines of one business record, kept as plain dicts so a test can change one field before
the message is rendered and signed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from singlewindow.demo.templates import LAYOUT, NAMESPACE
from singlewindow.kit.clock import CST
from singlewindow.registry.rules import id_check_char

# Filed enterprises: 10-character customs codes (they carry no check character).
EBP = "4110960001"
EBC = "4110960002"
PAY = "4110960003"
LOGISTICS = "4110960004"
AGENT = "4110960005"
WAREHOUSE = "4110960006"
OTHER = "4110960009"  # filed with every role, party to none of the parcels
UNFILED = "4110969999"

ROLES: Mapping[str, tuple[str, ...]] = {
    EBP: ("ebp",),
    EBC: ("ebc",),
    PAY: ("pay",),
    LOGISTICS: ("logistics",),
    AGENT: ("agent",),
    WAREHOUSE: ("warehouse",),
    OTHER: ("ebp", "ebc", "pay", "logistics", "agent", "warehouse"),
}
NAMES: Mapping[str, str] = {
    EBP: "许昌跨境平台",
    EBC: "许昌发制品",
    PAY: "豫付支付",
    LOGISTICS: "中原速运",
    AGENT: "许昌报关行",
    WAREHOUSE: "保税中心仓",
    OTHER: "别家企业",
    UNFILED: "未备案企业",
}

# The platform clock of the tests (the same instant as tests/conftest.py FIXED_NOW).
NOW = datetime(2026, 5, 11, 9, 30, tzinfo=CST)

CUSTOMS = "4621"  # 许昌海关
PORT = "4604"  # 郑州机场海关
CNY = "142"
HS = "2106909090"  # VAT 13 %, no consumption tax, MFN 12 % (tax/data/rates.csv)
HS_NO_RATE = "2106909000"  # not in the rate table


def id_number(body17: str) -> str:
    return body17 + id_check_char(body17)


BUYER_ID = id_number("41100219900101123")
OTHER_BUYER_ID = id_number("41100219851231456")
BAD_CHECK_DIGIT_ID = BUYER_ID[:17] + ("0" if BUYER_ID[17] != "0" else "1")


def fen(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def preferential_tax(dutiable: Decimal) -> Decimal:
    """Import tax of HS lines at 13 % VAT inside the limits: 0 tariff, 70 % of VAT."""
    return fen(dutiable * Decimal("0.13") * Decimal("0.7"))


def full_tax(dutiable: Decimal) -> Decimal:
    """The single-item path for the HS above: 12 % MFN tariff, then 13 % VAT on value + tariff."""
    tariff = dutiable * Decimal("0.12")
    return fen(tariff) + fen((dutiable + tariff) * Decimal("0.13"))


@dataclass
class Line:
    gnum: int
    qty: int
    price: Decimal
    item_no: str = "HAIR-001"
    name: str = "人发制假发"
    hs_code: str = HS

    @property
    def total(self) -> Decimal:
        return self.qty * self.price


def _money(v: Decimal) -> str:
    return f"{v:.2f}"


@dataclass
class Parcel:
    """One order's facts; every document of it is built from these."""

    n: int
    lines: list[Line] = field(default_factory=lambda: [Line(1, 2, Decimal("50.00"))])
    freight: Decimal = Decimal("10.00")
    insured_fee: Decimal = Decimal("0.00")
    discount: Decimal = Decimal("0.00")
    tax: Decimal | None = None  # default: the preferential tax of the dutiable value
    buyer_id: str = BUYER_ID
    buyer_name: str = "张三"
    buyer_tel: str = "13800000001"
    address: str = "河南省许昌市魏都区1号"
    app_status: str = "2"
    when: datetime = datetime(2026, 5, 11, 9, 0, tzinfo=CST)

    @property
    def order_no(self) -> str:
        return f"ORD{self.n:08d}"

    @property
    def logistics_no(self) -> str:
        return f"LN{self.n:010d}"

    @property
    def pay_no(self) -> str:
        return f"PAY{self.n:010d}"

    @property
    def goods(self) -> Decimal:
        return sum((ln.total for ln in self.lines), Decimal(0))

    @property
    def dutiable(self) -> Decimal:
        return self.goods + self.freight + self.insured_fee

    @property
    def tax_total(self) -> Decimal:
        return self.tax if self.tax is not None else preferential_tax(self.dutiable)

    @property
    def paid(self) -> Decimal:
        return self.goods + self.freight + self.tax_total - self.discount


Values = dict[str, str | None]


def new_guid() -> str:
    return str(uuid.uuid4()).upper()


@dataclass
class Doc:
    """One message holding one business record, not yet rendered."""

    message_type: str
    sender: str
    head: Values
    lines: list[Values] = field(default_factory=list)
    guid: str = field(default_factory=new_guid)

    def render(self) -> bytes:
        return render_message(self.message_type, self.guid, [(self.head, self.lines)], self.sender)


def _t14(when: datetime) -> str:
    return when.astimezone(CST).strftime("%Y%m%d%H%M%S")


def _common(p: Parcel, app_status: str | None = None) -> Values:
    return {
        "guid": new_guid(),
        "appType": "1",
        "appTime": _t14(p.when),
        "appStatus": app_status or p.app_status,
    }


def order_311(p: Parcel) -> Doc:
    head = _common(p) | {
        "orderType": "I",
        "orderNo": p.order_no,
        "ebpCode": EBP,
        "ebpName": NAMES[EBP],
        "ebcCode": EBC,
        "ebcName": NAMES[EBC],
        "goodsValue": _money(p.goods),
        "freight": _money(p.freight),
        "discount": _money(p.discount),
        "taxTotal": _money(p.tax_total),
        "acturalPaid": _money(p.paid),
        "currency": CNY,
        "buyerRegNo": f"U{p.buyer_tel}",
        "buyerName": p.buyer_name,
        "buyerTelephone": p.buyer_tel,
        "buyerIdType": "1",
        "buyerIdNumber": p.buyer_id,
        "payCode": PAY,
        "payName": NAMES[PAY],
        "payTransactionId": p.pay_no,
        "consignee": p.buyer_name,
        "consigneeTelephone": p.buyer_tel,
        "consigneeAddress": p.address,
    }
    lines: list[Values] = [
        {
            "gnum": str(ln.gnum),
            "itemNo": ln.item_no,
            "itemName": ln.name,
            "gmodel": "长度30cm",
            "barCode": "6900000000001",
            "unit": "011",
            "qty": str(ln.qty),
            "price": _money(ln.price),
            "totalPrice": _money(ln.total),
            "currency": CNY,
            "country": "502",
        }
        for ln in p.lines
    ]
    return Doc("CEB311", EBP, head, lines, head["guid"] or "")


def payment_411(p: Parcel) -> Doc:
    head = _common(p) | {
        "payCode": PAY,
        "payName": NAMES[PAY],
        "payTransactionId": p.pay_no,
        "orderNo": p.order_no,
        "ebpCode": EBP,
        "ebpName": NAMES[EBP],
        "payerIdType": "1",
        "payerIdNumber": p.buyer_id,
        "payerName": p.buyer_name,
        "telephone": p.buyer_tel,
        "amountPaid": _money(p.paid),
        "currency": CNY,
        "payTime": _t14(p.when),
    }
    return Doc("CEB411", PAY, head, [], head["guid"] or "")


def waybill_511(p: Parcel) -> Doc:
    head = _common(p) | {
        "logisticsCode": LOGISTICS,
        "logisticsName": NAMES[LOGISTICS],
        "logisticsNo": p.logistics_no,
        "orderNo": p.order_no,
        "freight": _money(p.freight),
        "insuredFee": _money(p.insured_fee),
        "currency": CNY,
        "weight": "1.2",
        "packNo": "1",
        "goodsInfo": "假发*2",
        "consignee": p.buyer_name,
        "consigneeAddress": p.address,
        "consigneeTelephone": p.buyer_tel,
    }
    return Doc("CEB511", LOGISTICS, head, [], head["guid"] or "")


def inventory_621(p: Parcel) -> Doc:
    head = _common(p) | {
        "orderNo": p.order_no,
        "ebpCode": EBP,
        "ebpName": NAMES[EBP],
        "ebcCode": EBC,
        "ebcName": NAMES[EBC],
        "logisticsNo": p.logistics_no,
        "logisticsCode": LOGISTICS,
        "logisticsName": NAMES[LOGISTICS],
        "copNo": f"XCI{p.n:012d}",
        "assureCode": EBC,
        "ieFlag": "I",
        "declTime": p.when.astimezone(CST).strftime("%Y%m%d"),
        "customsCode": CUSTOMS,
        "portCode": PORT,
        "buyerIdType": "1",
        "buyerIdNumber": p.buyer_id,
        "buyerName": p.buyer_name,
        "buyerTelephone": p.buyer_tel,
        "consigneeAddress": p.address,
        "agentCode": AGENT,
        "agentName": NAMES[AGENT],
        "tradeMode": "9610",
        "trafMode": "5",
        "trafNo": "CK271",
        "voyageNo": "CK2710511",
        "billNo": "784-10000011",
        "country": "502",
        "freight": _money(p.freight),
        "insuredFee": _money(p.insured_fee),
        "currency": CNY,
        "packNo": "1",
        "grossWeight": "1.2",
        "netWeight": "1.0",
    }
    lines: list[Values] = [
        {
            "gnum": str(ln.gnum),
            "itemNo": ln.item_no,
            "itemName": ln.name,
            "gcode": ln.hs_code,
            "gname": ln.name,
            "gmodel": "长度30cm",
            "barCode": "6900000000001",
            "country": "502",
            "currency": CNY,
            "qty": str(ln.qty),
            "unit": "011",
            "qty1": str(ln.qty),
            "unit1": "011",
            "price": _money(ln.price),
            "totalPrice": _money(ln.total),
        }
        for ln in p.lines
    ]
    return Doc("CEB621", AGENT, head, lines, head["guid"] or "")


def import_docs(p: Parcel) -> dict[str, Doc]:
    return {
        "CEB311": order_311(p),
        "CEB411": payment_411(p),
        "CEB511": waybill_511(p),
        "CEB621": inventory_621(p),
    }


def _withdrawal_head(p: Parcel, invt_no: str, reason: str) -> Values:
    return _common(p, "2") | {
        "customsCode": CUSTOMS,
        "orderNo": p.order_no,
        "ebpCode": EBP,
        "ebpName": NAMES[EBP],
        "ebcCode": EBC,
        "ebcName": NAMES[EBC],
        "logisticsNo": p.logistics_no,
        "logisticsCode": LOGISTICS,
        "logisticsName": NAMES[LOGISTICS],
        "invtNo": invt_no,
        "buyerIdType": "1",
        "buyerIdNumber": p.buyer_id,
        "buyerName": p.buyer_name,
        "buyerTelephone": p.buyer_tel,
        "agentCode": AGENT,
        "agentName": NAMES[AGENT],
        "reason": reason,
    }


def cancel_623(p: Parcel, invt_no: str) -> Doc:
    head = _withdrawal_head(p, invt_no, "订购人取消订单")
    return Doc("CEB623", AGENT, head, [], head["guid"] or "")


def return_625(p: Parcel, invt_no: str) -> Doc:
    head = _withdrawal_head(p, invt_no, "七天无理由退货")
    lines: list[Values] = [
        {
            "gnum": str(ln.gnum),
            "gcode": ln.hs_code,
            "gname": ln.name,
            "qty": str(ln.qty),
            "unit": "011",
        }
        for ln in p.lines
    ]
    return Doc("CEB625", AGENT, head, lines, head["guid"] or "")


# --- rendering --------------------------------------------------------------------------------

_HEAD_623 = """
guid appType appTime appStatus customsCode orderNo ebpCode ebpName ebcCode ebcName logisticsNo
logisticsCode logisticsName copNo preNo invtNo buyerIdType buyerIdNumber buyerName
buyerTelephone agentCode agentName reason note
"""
_LIST_625 = "gnum gcode gname qty unit note"
_TRANSFER = ("copCode", "copName", "dxpMode", "dxpId", "note")

# message type -> (business node, head group or None, head names, list group or None, names)
_LAYOUT: dict[str, tuple[str, str | None, tuple[str, ...], str | None, tuple[str, ...]]] = {
    mt: (node, hg, tuple(s[0] for s in hs), lg, tuple(s[0] for s in ls))
    for mt, (node, hg, hs, lg, ls) in LAYOUT.items()
}
_LAYOUT["CEB623"] = ("InvtCancel", None, tuple(_HEAD_623.split()), None, ())
_LAYOUT["CEB625"] = (
    "InvtRefund",
    "InvtRefundHead",
    tuple(_HEAD_623.split()),
    "InvtRefundList",
    tuple(_LIST_625.split()),
)


def _fill(names: Sequence[str], values: Mapping[str, str | None]) -> str:
    return "".join(
        f"<ceb:{n}>{escape(v)}</ceb:{n}>" for n in names if (v := values.get(n)) is not None
    )


def render_message(
    message_type: str,
    guid: str,
    records: Sequence[tuple[Mapping[str, str | None], Sequence[Mapping[str, str | None]]]],
    sender: str,
) -> bytes:
    """A message of one or more business records, unsigned, with the sender's BaseTransfer."""
    node, head_group, head_names, list_group, list_names = _LAYOUT[message_type]
    body = ""
    for head, lines in records:
        part = _fill(head_names, head)
        if head_group is not None:
            part = f"<ceb:{head_group}>{part}</ceb:{head_group}>"
        if list_group is not None:
            part += "".join(
                f"<ceb:{list_group}>{_fill(list_names, ln)}</ceb:{list_group}>" for ln in lines
            )
        body += f"<ceb:{node}>{part}</ceb:{node}>\n"
    transfer = {"copCode": sender, "copName": NAMES.get(sender, sender), "dxpMode": "DXP"}
    transfer["dxpId"] = f"DXPENT{sender}"
    root = f"{message_type}Message"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ceb:{root} guid="{guid}" version="1.0" '
        f'xmlns:ceb="{NAMESPACE}">\n{body}'
        f"<ceb:BaseTransfer>{_fill(_TRANSFER, transfer)}</ceb:BaseTransfer>\n</ceb:{root}>\n"
    ).encode()


# --- the zone's filing ------------------------------------------------------------------------


def registry_lines(certificates: Mapping[str, str]) -> list[str]:
    """JSONL of `registry import`: every filed enterprise with its one certificate."""
    lines = []
    for code, roles in ROLES.items():
        record: dict[str, object] = {
            "kind": "enterprise",
            "code": code,
            "name": NAMES[code],
            "roles": list(roles),
            "credit_class": "regular",
        }
        if code in certificates:
            record["certificates"] = [certificates[code]]
        lines.append(json.dumps(record, ensure_ascii=False))
    return lines
