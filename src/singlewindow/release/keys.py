"""The keys a batch of messages works by: the parcel keys its records reach stored rows by, the
locks it takes, and each document's own key."""

from __future__ import annotations

from typing import Any

from singlewindow.declaration.domain import DECLARATION_TYPES, Kind, RecordKeys
from singlewindow.declaration.rules import head_of, lines_of
from singlewindow.release.border import Decoded
from singlewindow.release.domain import sender_of


def line_logistics_keys(body: dict[str, Any]) -> list[str]:
    """Arrival and departure reports list many parcels of one logistics firm."""
    code = str(head_of(body).get("logisticsCode") or "")
    if not code:
        return []
    return [f"{code}|{line['logisticsNo']}" for line in lines_of(body) if line.get("logisticsNo")]


# The messages that use or give back a buyer's yearly quota themselves: the import inventory,
# its cancel and its return. An order names the buyer too, but only decides anything through
# a stored inventory, whose buyer is among the companion keys (repository.companion_keys).
QUOTA_TYPES = frozenset({"CEB621", "CEB623", "CEB625"})


def lock_keys(decoded: list[Decoded]) -> list[str]:
    keys: list[str] = []
    for item in decoded:
        assert item.message is not None
        keys.append(f"message|{item.message.guid}")
        quota = item.message.message_type in QUOTA_TYPES
        for body, k in zip(item.bodies, item.keys, strict=True):
            keys += [order_key(k), logistics_key(k), *line_logistics_keys(body)]
            buyer = head_of(body).get("buyerIdNumber") if quota else None
            if buyer:
                # The yearly quota is per buyer: one buyer's inventories are judged one at a time.
                keys.append(f"buyer|{buyer}")
    return keys


def batch_keys(decoded: list[Decoded]) -> dict[str, set[str]]:
    """Every key a batch's records can reach stored rows by (`Workset.load`'s arguments)."""
    order_keys: set[str] = set()
    logistics_keys: set[str] = set()
    doc_keys: set[str] = set()
    invt_nos: set[str] = set()
    codes: set[str] = set()
    buyers: set[str] = set()
    for item in decoded:
        assert item.message is not None
        codes.add(sender_of(item.message))
        dt = DECLARATION_TYPES.get(item.message.message_type)
        for body, k in zip(item.bodies, item.keys, strict=True):
            order_keys.add(order_key(k))
            logistics_keys.add(logistics_key(k))
            logistics_keys.update(line_logistics_keys(body))
            if dt is not None:
                doc_keys.add(doc_key(dt.kind, k))
            invt_nos.add(k.invt_no)
            codes.add(k.ebc_code)
            buyers.add(str(head_of(body).get("buyerIdNumber") or ""))
    return {
        "order_keys": order_keys,
        "logistics_keys": logistics_keys,
        "doc_keys": doc_keys,
        "invt_nos": invt_nos,
        "enterprise_codes": codes,
        "buyers": buyers,
    }


def order_key(k: RecordKeys) -> str:
    return f"{k.ebp_code}|{k.order_no}" if k.ebp_code and k.order_no else ""


def logistics_key(k: RecordKeys) -> str:
    return f"{k.logistics_code}|{k.logistics_no}" if k.logistics_code and k.logistics_no else ""


def doc_key(kind: Kind, k: RecordKeys) -> str:
    if kind in (Kind.ORDER, Kind.PAYMENT, Kind.INVENTORY):
        return order_key(k)
    if kind == Kind.WAYBILL:
        return logistics_key(k)
    if kind in (Kind.CANCEL, Kind.RETURN) and k.invt_no:
        return k.invt_no
    return k.guid


def parties(k: RecordKeys, cop: str) -> str:
    codes = {cop, k.ebp_code, k.ebc_code, k.agent_code, k.logistics_code, k.pay_code}
    return " ".join(sorted(c for c in codes if c))
