"""render: a Message back to the standard's canonical XML (prefix `ceb:`, schema order, UTF-8)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from singlewindow.message.definitions import (
    CEB_NS,
    GroupDef,
    LeafDef,
    SignatureDef,
    definition,
)
from singlewindow.message.records import Message, Record

_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# The opaque parts are our own exclusive-C14N output; still, never resolve anything in them.
_OPAQUE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False
)


def _q(name: str) -> str:
    return f"{{{CEB_NS}}}{name}"


def _group(parent: Any, group: GroupDef, record: Record) -> None:
    el = etree.SubElement(parent, _q(group.name))
    for child in group.children:
        if not isinstance(child, LeafDef | GroupDef):
            continue
        value = getattr(record, child.field)
        if value is None:
            continue
        repeatable = child.max_occurs is None or child.max_occurs > 1
        items = value if repeatable else (value,)
        for item in items:
            if isinstance(child, GroupDef):
                _group(el, child, item)
            else:
                etree.SubElement(el, _q(child.name)).text = item


def render(message: Message) -> bytes:
    """Canonical XML of `message`; `decode(render(m)) == m` for every decoded message."""
    spec = definition(message.message_type)
    root = etree.Element(_q(spec.root.name), nsmap={"ceb": CEB_NS})
    root.set("guid", message.guid)
    root.set("version", message.version)
    opaque: list[tuple[int, bytes]] = []
    for child in spec.root.children:
        if isinstance(child, SignatureDef):
            if message.signature is not None:
                opaque.append((len(root), message.signature))
        elif child.name == spec.business_node:
            assert isinstance(child, GroupDef)
            for record in message.records:
                _group(root, child, record)
        elif child.name == "BaseTransfer" and message.base_transfer is not None:
            assert isinstance(child, GroupDef)
            _group(root, child, message.base_transfer)
        elif child.name == "BaseSubscribe":
            assert isinstance(child, GroupDef)
            for record in message.base_subscribe:
                _group(root, child, record)
        elif child.name == "ExtendMessage" and message.extend_message is not None:
            opaque.append((len(root), message.extend_message))
    etree.indent(root, space="\t")
    # Inserted after indenting so that their bytes stay exactly as kept.
    for shift, (position, data) in enumerate(opaque):
        el = etree.fromstring(data, _OPAQUE_PARSER)
        root.insert(position + shift, el)
    for el in root:
        el.tail = "\n\t"
    if len(root):
        root[-1].tail = "\n"
        root.text = "\n\t"
    return _DECLARATION + etree.tostring(root, encoding="UTF-8")
