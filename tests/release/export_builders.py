"""Builders of the export side: the four documents of an export parcel (CEB303/403/505/603) and
the batch messages that move parcels out (CEB507 arrival at the port, CEB509 departure).

Shared facts, `Parcel`, `Doc` and the rendering are in builders.py; see its docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tests.release.builders import (
    AGENT,
    CNY,
    CUSTOMS,
    EBC,
    EBP,
    LOGISTICS,
    NAMES,
    PAY,
    PORT,
    WAREHOUSE,
    Doc,
    Parcel,
    Values,
    _common,
    _money,
    _t14,
    new_guid,
)

from singlewindow.kit.clock import CST


def order_303(p: Parcel) -> Doc:
    head = _common(p) | {
        "orderType": "E",
        "orderNo": p.order_no,
        "ebpCode": EBP,
        "ebpName": NAMES[EBP],
        "ebcCode": EBC,
        "ebcName": NAMES[EBC],
        "goodsValue": _money(p.goods),
        "freight": _money(p.freight),
        "currency": CNY,
    }
    lines: list[Values] = [
        {
            "gnum": str(ln.gnum),
            "itemNo": ln.item_no,
            "itemName": ln.name,
            "barCode": "6900000000001",
            "unit": "011",
            "currency": CNY,
            "qty": str(ln.qty),
            "price": _money(ln.price),
            "totalPrice": _money(ln.total),
        }
        for ln in p.lines
    ]
    return Doc("CEB303", EBP, head, lines, head["guid"] or "")


def receipt_403(p: Parcel) -> Doc:
    head = _common(p) | {
        "ebpCode": EBP,
        "ebpName": NAMES[EBP],
        "ebcCode": EBC,
        "ebcName": NAMES[EBC],
        "orderNo": p.order_no,
        "payCode": PAY,
        "payName": NAMES[PAY],
        "payNo": p.pay_no,
        "charge": _money(p.goods + p.freight),
        "currency": CNY,
        "accountingDate": _t14(p.when),
    }
    return Doc("CEB403", PAY, head, [], head["guid"] or "")


def waybill_505(p: Parcel) -> Doc:
    head = _common(p) | {
        "logisticsCode": LOGISTICS,
        "logisticsName": NAMES[LOGISTICS],
        "logisticsNo": p.logistics_no,
        "freight": _money(p.freight),
        "insuredFee": _money(p.insured_fee),
        "currency": CNY,
        "grossWeight": "1.2",
        "packNo": "1",
        "goodsInfo": "假发*2",
        "ebcCode": EBC,
        "ebcName": NAMES[EBC],
        "ebcTelephone": "0374-1234567",
    }
    return Doc("CEB505", LOGISTICS, head, [], head["guid"] or "")


def inventory_603(p: Parcel) -> Doc:
    head = _common(p) | {
        "customsCode": CUSTOMS,
        "ebpCode": EBP,
        "ebpName": NAMES[EBP],
        "orderNo": p.order_no,
        "logisticsCode": LOGISTICS,
        "logisticsName": NAMES[LOGISTICS],
        "logisticsNo": p.logistics_no,
        "copNo": f"XCE{p.n:012d}",
        "ieFlag": "E",
        "portCode": PORT,
        "ieDate": p.when.astimezone(CST).strftime("%Y%m%d"),
        "statisticsFlag": "A",
        "agentCode": AGENT,
        "agentName": NAMES[AGENT],
        "ebcCode": EBC,
        "ebcName": NAMES[EBC],
        "ownerCode": EBC,
        "ownerName": NAMES[EBC],
        "tradeMode": "9610",
        "trafMode": "5",
        "country": "502",
        "POD": "USLA",
        "freight": _money(p.freight),
        "fCurrency": CNY,
        "fFlag": "3",
        "insuredFee": _money(p.insured_fee),
        "iCurrency": CNY,
        "iFlag": "3",
        "wrapType": "2",
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
            "qty1": str(ln.qty),
            "unit": "011",
            "unit1": "011",
            "price": _money(ln.price),
            "totalPrice": _money(ln.total),
        }
        for ln in p.lines
    ]
    return Doc("CEB603", AGENT, head, lines, head["guid"] or "")


def export_docs(p: Parcel) -> dict[str, Doc]:
    return {
        "CEB303": order_303(p),
        "CEB403": receipt_403(p),
        "CEB505": waybill_505(p),
        "CEB603": inventory_603(p),
    }


def _movement(message_type: str, logistics_nos: Sequence[str], when: datetime) -> Doc:
    guid = new_guid()
    head: Values = {
        "guid": guid,
        "appType": "1",
        "appTime": _t14(when),
        "appStatus": "2",
        "customsCode": CUSTOMS,
        "copNo": f"XCB{guid[:8]}",
        "logisticsCode": LOGISTICS,
        "logisticsName": NAMES[LOGISTICS],
        "trafMode": "5",
        "msgCount": "1",
        "msgSeqNo": "1",
    }
    if message_type == "CEB507":
        head |= {
            "operatorCode": WAREHOUSE,
            "operatorName": NAMES[WAREHOUSE],
            "ieFlag": "E",
            "domesticTrafNo": "豫K00001",
        }
    else:
        head |= {
            "trafName": "CARGOLUX",
            "voyageNo": "CV0511",
            "billNo": "172-10000011",
            "leaveTime": _t14(when),
        }
    lines: list[Values] = [
        {"gnum": str(n), "logisticsNo": no} for n, no in enumerate(logistics_nos, 1)
    ]
    return Doc(message_type, LOGISTICS, head, lines, guid)


def arrival_507(logistics_nos: Sequence[str], when: datetime) -> Doc:
    return _movement("CEB507", logistics_nos, when)


def departure_509(logistics_nos: Sequence[str], when: datetime) -> Doc:
    return _movement("CEB509", logistics_nos, when)
