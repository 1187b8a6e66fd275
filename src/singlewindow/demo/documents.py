"""The business record each message of a planned parcel carries, rendered to CEB XML."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from singlewindow.demo.catalog import (
    BONDED_CENTRE_CUSTOMS,
    XUCHANG_CUSTOMS,
    ZHENGZHOU_AIRPORT_CUSTOMS,
)
from singlewindow.demo.plan import ArrivalBatch, ParcelPlan
from singlewindow.demo.templates import Values, render
from singlewindow.demo.zone import Zone, ZoneEnterprise

CNY = "142"
# Who sends each type (BaseTransfer/copCode), as the clearance issue assigns senders.
SENDER_FIELD = {
    "CEB311": "ebp_code",
    "CEB303": "ebp_code",
    "CEB411": "pay_code",
    "CEB403": "pay_code",
    "CEB511": "logistics_code",
    "CEB505": "logistics_code",
    "CEB621": "agent_code",
    "CEB603": "agent_code",
}


def message_guid(seed: int, key: str) -> str:
    """A 36-character upper-case GUID that is the same on every replay of the same month."""
    h = hashlib.blake2b(f"{seed}|{key}".encode(), digest_size=16).hexdigest().upper()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _t14(when: datetime) -> str:
    # The wall time as written (the datetimes are already in +08:00); strftime is slower.
    return (
        f"{when.year:04d}{when.month:02d}{when.day:02d}"
        f"{when.hour:02d}{when.minute:02d}{when.second:02d}"
    )


def _money(v: Decimal) -> str:
    return f"{v:.2f}"


def _transfer(e: ZoneEnterprise) -> Values:
    return {"copCode": e.code, "copName": e.name, "dxpMode": "DXP", "dxpId": e.dxp_id}


def _common(guid: str, when: datetime, app_status: str) -> dict[str, str | None]:
    return {"guid": guid, "appType": "1", "appTime": _t14(when), "appStatus": app_status}


def render_parcel_message(
    zone: Zone, seed: int, parcel: ParcelPlan, message_type: str, app_status: str
) -> tuple[str, bytes]:
    """The sender's code and the bytes of one message of `parcel`."""
    when = parcel.times[message_type]
    guid = message_guid(seed, f"{parcel.index}|{message_type}")
    sender = zone.by_code[getattr(parcel, SENDER_FIELD[message_type])]
    head = _common(guid, when, app_status)
    build = _BUILDERS[message_type]
    lines = build(zone, parcel, head, when)
    return sender.code, render(message_type, guid, head, lines, _transfer(sender))


def _goods_info(parcel: ParcelPlan) -> str:
    return ";".join(f"{ln.commodity.name}*{ln.qty}" for ln in parcel.lines)[:200]


def _order_311(
    zone: Zone, p: ParcelPlan, head: dict[str, str | None], when: datetime
) -> list[Values]:
    ebp, ebc, pay = zone.by_code[p.ebp_code], zone.by_code[p.ebc_code], zone.by_code[p.pay_code]
    assert p.buyer is not None and p.consignee is not None
    head.update(
        orderType="I",
        orderNo=p.order_no,
        ebpCode=ebp.code,
        ebpName=ebp.name,
        ebcCode=ebc.code,
        ebcName=ebc.name,
        goodsValue=_money(p.goods_value),
        freight=_money(p.freight),
        discount=_money(p.discount),
        taxTotal=_money(p.tax_total),
        acturalPaid=_money(p.actural_paid),
        currency=CNY,
        buyerRegNo=f"U{p.buyer.telephone}",
        buyerName=p.buyer.name,
        buyerTelephone=p.buyer.telephone,
        buyerIdType="1",
        buyerIdNumber=p.buyer_id_number,
        payCode=pay.code,
        payName=pay.name,
        payTransactionId=p.pay_transaction_id,
        consignee=p.consignee.name,
        consigneeTelephone=p.consignee.telephone,
        consigneeAddress=p.consignee.address,
    )
    return [
        {
            "gnum": str(ln.gnum),
            "itemNo": ln.commodity.item_no,
            "itemName": ln.commodity.name,
            "gmodel": ln.commodity.good.gmodel,
            "barCode": ln.commodity.bar_code,
            "unit": ln.commodity.good.unit,
            "qty": str(ln.qty),
            "price": _money(ln.price),
            "totalPrice": _money(ln.total_price),
            "currency": CNY,
            "country": ln.commodity.origin_country,
        }
        for ln in p.lines
    ]


def _payment_411(
    zone: Zone, p: ParcelPlan, head: dict[str, str | None], when: datetime
) -> list[Values]:
    ebp, pay = zone.by_code[p.ebp_code], zone.by_code[p.pay_code]
    assert p.buyer is not None
    head.update(
        payCode=pay.code,
        payName=pay.name,
        payTransactionId=p.pay_transaction_id,
        orderNo=p.order_no,
        ebpCode=ebp.code,
        ebpName=ebp.name,
        payerIdType="1",
        payerIdNumber=p.buyer_id_number,
        payerName=p.buyer.name,
        telephone=p.buyer.telephone,
        amountPaid=_money(p.amount_paid),
        currency=CNY,
        payTime=_t14(min(p.times["CEB311"], when)),
    )
    return []


def _waybill_511(
    zone: Zone, p: ParcelPlan, head: dict[str, str | None], when: datetime
) -> list[Values]:
    lg = zone.by_code[p.logistics_code]
    assert p.consignee is not None
    head.update(
        logisticsCode=lg.code,
        logisticsName=lg.name,
        logisticsNo=p.logistics_no,
        billNo=_bill_no(p) if p.trade_mode == "9610" else None,
        orderNo=p.order_no,
        freight=_money(p.freight),
        insuredFee=_money(p.insured_fee),
        currency=CNY,
        weight=str(p.gross_weight),
        packNo="1",
        goodsInfo=_goods_info(p),
        consignee=p.consignee.name,
        consigneeAddress=p.waybill_address,
        consigneeTelephone=p.consignee.telephone,
    )
    return []


def _bill_no(p: ParcelPlan) -> str:
    # An air master waybill: 3-digit airline prefix, 8-digit serial (last digit = serial mod 7).
    serial = 1000000 + p.index % 8999999
    return f"784-{serial}{serial % 7}"


def _inventory_621(
    zone: Zone, p: ParcelPlan, head: dict[str, str | None], when: datetime
) -> list[Values]:
    ebp, ebc = zone.by_code[p.ebp_code], zone.by_code[p.ebc_code]
    lg, agent = zone.by_code[p.logistics_code], zone.by_code[p.agent_code]
    warehouse = zone.with_role("warehouse")[0]
    bonded = p.trade_mode == "1210"
    assert p.buyer is not None and p.consignee is not None
    head.update(
        orderNo=p.order_no,
        ebpCode=ebp.code,
        ebpName=ebp.name,
        ebcCode=ebc.code,
        ebcName=ebc.name,
        logisticsNo=p.logistics_no,
        logisticsCode=lg.code,
        logisticsName=lg.name,
        copNo=f"XCI{p.index:012d}",
        assureCode=ebc.code,
        emsNo=f"T{BONDED_CENTRE_CUSTOMS}W000001" if bonded else None,
        ieFlag="I",
        declTime=f"{when:%Y%m%d}",
        customsCode=BONDED_CENTRE_CUSTOMS if bonded else XUCHANG_CUSTOMS,
        portCode=BONDED_CENTRE_CUSTOMS if bonded else ZHENGZHOU_AIRPORT_CUSTOMS,
        buyerIdType="1",
        buyerIdNumber=p.buyer_id_number,
        buyerName=p.buyer.name,
        buyerTelephone=p.buyer.telephone,
        consigneeAddress=p.consignee.address,
        agentCode=agent.code,
        agentName=agent.name,
        areaCode=warehouse.code if bonded else None,
        areaName=warehouse.name if bonded else None,
        tradeMode=p.trade_mode,
        trafMode="4" if bonded else "5",
        trafNo=None if bonded else "CK271",
        voyageNo=None if bonded else f"CK271{when:%m%d}",
        billNo=None if bonded else _bill_no(p),
        country=CNY if bonded else p.destination[0],
        freight=_money(p.freight),
        insuredFee=_money(p.insured_fee),
        currency=CNY,
        packNo="1",
        grossWeight=str(p.gross_weight),
        netWeight=str(_net(p.gross_weight)),
    )
    return [
        {
            "gnum": str(ln.gnum),
            "itemRecordNo": ln.commodity.item_no if bonded else None,
            "itemNo": ln.commodity.item_no,
            "itemName": ln.commodity.name,
            "gcode": ln.commodity.hs_code,
            "gname": ln.commodity.name,
            "gmodel": ln.commodity.good.gmodel,
            "barCode": ln.commodity.bar_code,
            "country": ln.commodity.origin_country,
            "currency": CNY,
            "qty": str(ln.qty),
            "unit": ln.commodity.good.unit,
            "qty1": _qty1(ln.qty, ln.commodity.good.qty1_per_unit),
            "unit1": ln.commodity.good.unit1,
            "price": _money(ln.price),
            "totalPrice": _money(ln.total_price),
        }
        for ln in p.lines
    ]


def _qty1(qty: int, per_unit: str) -> str:
    return str(Decimal(per_unit) * qty)


def _net(gross: Decimal) -> Decimal:
    return (gross * Decimal("0.85")).quantize(Decimal("0.001"))


def _order_303(
    zone: Zone, p: ParcelPlan, head: dict[str, str | None], when: datetime
) -> list[Values]:
    ebp, ebc = zone.by_code[p.ebp_code], zone.by_code[p.ebc_code]
    head.update(
        orderType="E",
        orderNo=p.order_no,
        ebpCode=ebp.code,
        ebpName=ebp.name,
        ebcCode=ebc.code,
        ebcName=ebc.name,
        goodsValue=_money(p.goods_value),
        freight=_money(p.freight),
        currency=CNY,
    )
    return [
        {
            "gnum": str(ln.gnum),
            "itemNo": ln.commodity.item_no,
            "itemName": ln.commodity.name,
            "barCode": ln.commodity.bar_code,
            "unit": ln.commodity.good.unit,
            "currency": CNY,
            "qty": str(ln.qty),
            "price": _money(ln.price),
            "totalPrice": _money(ln.total_price),
        }
        for ln in p.lines
    ]


def _receipt_403(
    zone: Zone, p: ParcelPlan, head: dict[str, str | None], when: datetime
) -> list[Values]:
    ebp, ebc, pay = zone.by_code[p.ebp_code], zone.by_code[p.ebc_code], zone.by_code[p.pay_code]
    head.update(
        ebpCode=ebp.code,
        ebpName=ebp.name,
        ebcCode=ebc.code,
        ebcName=ebc.name,
        orderNo=p.order_no,
        payCode=pay.code,
        payName=pay.name,
        payNo=p.pay_transaction_id,
        charge=_money(p.amount_paid),
        currency=CNY,
        accountingDate=_t14(when),
    )
    return []


def _waybill_505(
    zone: Zone, p: ParcelPlan, head: dict[str, str | None], when: datetime
) -> list[Values]:
    lg, ebc = zone.by_code[p.logistics_code], zone.by_code[p.ebc_code]
    head.update(
        logisticsCode=lg.code,
        logisticsName=lg.name,
        logisticsNo=p.logistics_no,
        freight=_money(p.freight),
        insuredFee=_money(p.insured_fee),
        currency=CNY,
        grossWeight=str(p.gross_weight),
        packNo="1",
        goodsInfo=_goods_info(p),
        ebcCode=ebc.code,
        ebcName=ebc.name,
        ebcTelephone=f"0374-{int(ebc.code[-6:], 36) % 10**7:07d}",
    )
    return []


def _inventory_603(
    zone: Zone, p: ParcelPlan, head: dict[str, str | None], when: datetime
) -> list[Values]:
    ebp, ebc = zone.by_code[p.ebp_code], zone.by_code[p.ebc_code]
    lg, agent = zone.by_code[p.logistics_code], zone.by_code[p.agent_code]
    leave = p.times["CEB509"]
    head.update(
        customsCode=XUCHANG_CUSTOMS,
        ebpCode=ebp.code,
        ebpName=ebp.name,
        orderNo=p.order_no,
        logisticsCode=lg.code,
        logisticsName=lg.name,
        logisticsNo=p.logistics_no,
        copNo=f"XCE{p.index:012d}",
        ieFlag="E",
        portCode=ZHENGZHOU_AIRPORT_CUSTOMS,
        ieDate=f"{leave:%Y%m%d}",
        statisticsFlag=p.statistics_flag,
        agentCode=agent.code,
        agentName=agent.name,
        ebcCode=ebc.code,
        ebcName=ebc.name,
        ownerCode=ebc.code,
        ownerName=ebc.name,
        tradeMode="9610",
        trafMode="5",
        country=p.destination[0],
        POD=p.destination[1],
        freight=_money(p.freight),
        fCurrency=CNY,
        fFlag="3",
        insuredFee=_money(p.insured_fee),
        iCurrency=CNY,
        iFlag="3",
        wrapType="2",
        packNo="1",
        grossWeight=str(p.gross_weight),
        netWeight=str(_net(p.gross_weight)),
    )
    return [
        {
            "gnum": str(ln.gnum),
            "itemNo": ln.commodity.item_no,
            "itemName": ln.commodity.name,
            "gcode": ln.commodity.hs_code,
            "gname": ln.commodity.name,
            "gmodel": ln.commodity.good.gmodel,
            "barCode": ln.commodity.bar_code,
            "country": p.destination[0],
            "currency": CNY,
            "qty": str(ln.qty),
            "qty1": _qty1(ln.qty, ln.commodity.good.qty1_per_unit),
            "unit": ln.commodity.good.unit,
            "unit1": ln.commodity.good.unit1,
            "price": _money(ln.price),
            "totalPrice": _money(ln.total_price),
        }
        for ln in p.lines
    ]


_BUILDERS = {
    "CEB311": _order_311,
    "CEB411": _payment_411,
    "CEB511": _waybill_511,
    "CEB621": _inventory_621,
    "CEB303": _order_303,
    "CEB403": _receipt_403,
    "CEB505": _waybill_505,
    "CEB603": _inventory_603,
}


def render_batch_message(
    zone: Zone, seed: int, batch: ArrivalBatch, message_type: str, app_status: str
) -> tuple[str, bytes]:
    """CEB507 arrival or CEB509 departure naming every logisticsNo of the batch."""
    lg = zone.by_code[batch.logistics_code]
    when = batch.arrival_at if message_type == "CEB507" else batch.departure_at
    guid = message_guid(seed, f"batch{batch.index}|{message_type}")
    head: dict[str, str | None] = _common(guid, when, app_status)
    common: Mapping[str, str] = {
        "customsCode": XUCHANG_CUSTOMS,
        "copNo": f"XCB{batch.index:08d}{message_type[-1]}",
        "logisticsCode": lg.code,
        "logisticsName": lg.name,
        "trafMode": "5",
        "msgCount": "1",
        "msgSeqNo": "1",
    }
    head.update(common)
    if message_type == "CEB507":
        warehouse = zone.with_role("warehouse")[0]
        head.update(
            operatorCode=warehouse.code,
            operatorName=warehouse.name,
            ieFlag="E",
            domesticTrafNo=f"豫K{batch.index % 100000:05d}",
        )
        lines: list[Values] = [
            {"gnum": str(n), "logisticsNo": no} for n, no in enumerate(batch.logistics_nos, 1)
        ]
    else:
        head.update(
            trafName="CARGOLUX",
            voyageNo=f"CV{batch.departure_at:%m%d}",
            billNo=f"172-{1000000 + batch.index % 8999999}{(1000000 + batch.index % 8999999) % 7}",
            leaveTime=_t14(batch.departure_at),
        )
        lines = [{"gnum": str(n), "logisticsNo": no} for n, no in enumerate(batch.logistics_nos, 1)]
    return lg.code, render(message_type, guid, head, lines, _transfer(lg))
