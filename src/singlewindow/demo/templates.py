"""CEB XML for the demo's ten message types, written as text in the standard's schema order.

Element names and their order are copied from the customs' 2022-05 XSDs (the field tables in
`singlewindow/message/data/fields`, source: Weasley-J/chinaport-data-signature @ 2a13a9e).
The demo writes thousands of messages a second, so it joins strings rather than building trees;
`tests/demo` checks every generated type against the schema facets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

NAMESPACE = "http://www.chinaport.gov.cn/ceb"

_HEAD_311 = """
guid appType appTime appStatus orderType orderNo ebpCode ebpName ebcCode ebcName
goodsValue freight discount taxTotal acturalPaid currency buyerRegNo buyerName
buyerTelephone buyerIdType buyerIdNumber payCode payName payTransactionId batchNumbers
consignee consigneeTelephone consigneeAddress consigneeDistrict note
"""
_LIST_311 = """
gnum itemNo itemName gmodel itemDescribe barCode unit qty price totalPrice currency
country note
"""
_HEAD_411 = """
guid appType appTime appStatus payCode payName payTransactionId orderNo ebpCode ebpName
payerIdType payerIdNumber payerName telephone amountPaid currency payTime note
"""
_HEAD_511 = """
guid appType appTime appStatus logisticsCode logisticsName logisticsNo billNo orderNo
freight insuredFee currency weight packNo goodsInfo consignee consigneeAddress
consigneeTelephone note
"""
_HEAD_621 = """
guid appType appTime appStatus orderNo ebpCode ebpName ebcCode ebcName logisticsNo
logisticsCode logisticsName copNo preNo assureCode emsNo invtNo ieFlag declTime
customsCode portCode ieDate buyerIdType buyerIdNumber buyerName buyerTelephone
consigneeAddress agentCode agentName areaCode areaName tradeMode trafMode trafNo
voyageNo billNo loctNo licenseNo country freight insuredFee currency wrapType packNo
grossWeight netWeight note
"""
_LIST_621 = """
gnum itemRecordNo itemNo itemName gcode gname gmodel barCode country tradeCountry
currency qty unit qty1 unit1 qty2 unit2 price totalPrice note
"""
_HEAD_303 = """
guid appType appTime appStatus orderType orderNo ebpCode ebpName ebcCode ebcName
goodsValue freight currency note
"""
_LIST_303 = "gnum itemNo itemName itemDescribe barCode unit currency qty price totalPrice note"
_FLAT_403 = """
guid appType appTime appStatus ebpCode ebpName ebcCode ebcName orderNo payCode payName
payNo charge currency accountingDate note
"""
_FLAT_505 = """
guid appType appTime appStatus logisticsCode logisticsName logisticsNo freight
insuredFee currency grossWeight packNo goodsInfo ebcCode ebcName ebcTelephone note
"""
_HEAD_603 = """
guid appType appTime appStatus customsCode ebpCode ebpName orderNo logisticsCode
logisticsName logisticsNo copNo preNo invtNo ieFlag portCode ieDate statisticsFlag
agentCode agentName ebcCode ebcName ownerCode ownerName iacCode iacName emsNo tradeMode
trafMode trafName voyageNo billNo totalPackageNo loctNo licenseNo country POD freight
fCurrency fFlag insuredFee iCurrency iFlag wrapType packNo grossWeight netWeight note
"""
_LIST_603 = """
gnum itemNo itemRecordNo itemName gcode gname gmodel barCode country currency qty qty1
qty2 unit unit1 unit2 price totalPrice note
"""
_HEAD_507 = """
guid appType appTime appStatus customsCode copNo preNo operatorCode operatorName loctNo
ieFlag trafMode billNo domesticTrafNo logisticsCode logisticsName msgCount msgSeqNo note
"""
_LIST_507 = "gnum logisticsNo totalPackageNo note"
_HEAD_509 = """
guid appType appTime appStatus customsCode copNo preNo logisticsCode logisticsName
trafMode trafName voyageNo billNo leaveTime msgCount msgSeqNo note
"""
_LIST_509 = "gnum totalPackageNo logisticsNo note"
_TRANSFER = "copCode copName dxpMode dxpId note"

# Free text that may hold markup characters; codes, numbers and times never do.
_TEXT_NAMES = """
ebpName ebcName payName logisticsName agentName areaName ownerName iacName operatorName copName
buyerName payerName consignee consigneeAddress itemName gname gmodel itemDescribe goodsInfo note
trafName domesticTrafNo
"""
_TEXT = frozenset(_TEXT_NAMES.split())

Spec = tuple[tuple[str, str, str, bool], ...]


def _spec(names: str) -> Spec:
    return tuple((n, f"<ceb:{n}>", f"</ceb:{n}>\n", n in _TEXT) for n in names.split())


# message type -> (business node, head group or None when flat, head spec, list group, list spec)
LAYOUT: dict[str, tuple[str, str | None, Spec, str | None, Spec]] = {
    "CEB311": ("Order", "OrderHead", _spec(_HEAD_311), "OrderList", _spec(_LIST_311)),
    "CEB411": ("Payment", "PaymentHead", _spec(_HEAD_411), None, ()),
    "CEB511": ("Logistics", "LogisticsHead", _spec(_HEAD_511), None, ()),
    "CEB621": ("Inventory", "InventoryHead", _spec(_HEAD_621), "InventoryList", _spec(_LIST_621)),
    "CEB303": ("Order", "OrderHead", _spec(_HEAD_303), "OrderList", _spec(_LIST_303)),
    "CEB403": ("Receipts", None, _spec(_FLAT_403), None, ()),
    "CEB505": ("Logistics", None, _spec(_FLAT_505), None, ()),
    "CEB603": ("Inventory", "InventoryHead", _spec(_HEAD_603), "InventoryList", _spec(_LIST_603)),
    "CEB507": ("Arrival", "ArrivalHead", _spec(_HEAD_507), "ArrivalList", _spec(_LIST_507)),
    "CEB509": ("Departure", "DepartureHead", _spec(_HEAD_509), "DepartureList", _spec(_LIST_509)),
}
_TRANSFER_SPEC = _spec(_TRANSFER)

Values = Mapping[str, str | None]


def _text(v: str) -> str:
    # Most text has no markup characters; skip the three replacements then.
    return escape(v) if "&" in v or "<" in v or ">" in v else v


def _fill(spec: Spec, values: Values) -> str:
    # An absent or None value leaves the (optional) element out. A comprehension: this is the
    # generator's hot loop.
    get = values.get
    return "".join(
        [
            f"{open_tag}{_text(v) if is_text else v}{close_tag}"
            for name, open_tag, close_tag, is_text in spec
            if (v := get(name)) is not None
        ]
    )


def render(
    message_type: str,
    guid: str,
    head: Values,
    lines: Sequence[Values],
    transfer: Values,
) -> bytes:
    """One message holding one business record (`head` and its `lines`) and its BaseTransfer."""
    node, head_group, head_spec, list_group, list_spec = LAYOUT[message_type]
    body = _fill(head_spec, head)
    if head_group is not None:
        body = f"<ceb:{head_group}>\n{body}</ceb:{head_group}>\n"
    if list_group is not None:
        body += "".join(
            f"<ceb:{list_group}>\n{_fill(list_spec, line)}</ceb:{list_group}>\n" for line in lines
        )
    root = f"{message_type}Message"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ceb:{root} guid="{guid}" version="1.0" '
        f'xmlns:ceb="{NAMESPACE}">\n<ceb:{node}>\n{body}</ceb:{node}>\n'
        f"<ceb:BaseTransfer>\n{_fill(_TRANSFER_SPEC, transfer)}</ceb:BaseTransfer>\n</ceb:{root}>\n"
    ).encode()
