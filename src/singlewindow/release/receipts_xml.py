"""Receipts rendered in the standard's XML (CEB312, CEB622, …), built from stored receipt rows.

Required elements the platform has no value for are filled from the record's keys; the
`preNo` (电子口岸编号) the platform assigns is "B" + the date + a 9-digit serial (SPEC §1.3).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from singlewindow.message import Message, business_node, definition
from singlewindow.message import render as render_message
from singlewindow.message.definitions import GroupDef, LeafDef
from singlewindow.message.records import record_class
from singlewindow.release.domain import ReceiptView

PLATFORM_CODE = "SINGLEWINDOW"
_NAMESPACE = uuid.UUID("6f1d7e1c-4b3a-4f51-9a57-5e2b1f0c9d11")


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join(parts))).upper()


def _filler(leaf: LeafDef) -> str:
    size = leaf.facets.length or leaf.facets.min_length or 1
    return "0" * size


def _record(receipt_type: str, view: ReceiptView, serial: int, head: Mapping[str, Any]) -> Any:
    node = business_node(receipt_type)
    group = next(
        c
        for c in definition(receipt_type).root.children
        if isinstance(c, GroupDef) and c.name == node
    )
    stamp = view.time or "00000000000000000"
    values: dict[str, Any] = {}
    for child in group.children:
        if not isinstance(child, LeafDef):
            continue
        name = child.name
        if name == "guid":
            value: str | None = _guid(view.message_guid, view.guid, view.return_status, stamp)
        elif name == "returnStatus":
            value = view.return_status
        elif name == "returnTime":
            value = stamp
        elif name == "returnInfo":
            value = view.return_info[:1000] or view.return_status
        elif name == "preNo":
            value = f"B{stamp[:8]}{serial:09d}"
        elif name == "copNo":
            value = str(head.get("copNo") or view.keys.get("copNo") or view.guid or "0")[:20]
        else:
            value = view.keys.get(name) or _text(head.get(name))
        if value is None and child.min_occurs > 0:
            value = _filler(child)
        values[child.field] = value
    return record_class(receipt_type, node)(**values)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def render(
    views: Sequence[ReceiptView],
    heads: Mapping[str, Mapping[str, Any]] | None = None,
    receipt_type: str | None = None,
) -> bytes:
    """The latest receipt of each record, as one receipt message of the standard. `heads` maps a
    record's guid to its head as declared, for the fields the receipt repeats (copNo …)."""
    if not views:
        raise ValueError("no receipts to render")
    mt = views[0].message_type
    rtype = receipt_type or f"CEB{int(mt[3:]) + 1}"
    latest: dict[str, ReceiptView] = {}
    for v in views:
        latest[v.guid or v.message_guid] = v
    heads = heads or {}
    records = tuple(
        _record(rtype, v, i, heads.get(v.guid, {})) for i, v in enumerate(latest.values(), 1)
    )
    spec = definition(rtype)
    transfer = None
    if any(isinstance(c, GroupDef) and c.name == "BaseTransfer" for c in spec.root.children):
        transfer_fields: dict[str, Any] = {
            "cop_code": PLATFORM_CODE,
            "cop_name": "单一窗口 singlewindow",
            "dxp_mode": "DXP",
            "dxp_id": PLATFORM_CODE,
            "note": None,
        }
        transfer = record_class(rtype, "BaseTransfer")(**transfer_fields)
    message = Message(
        message_type=rtype,
        guid=_guid("receipt", views[0].message_guid, str(len(views))),
        version="1.0",
        records=records,
        base_transfer=transfer,
    )
    return render_message(message)
