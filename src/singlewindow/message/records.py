"""Typed frozen records generated from the definitions: one class per group of each message type.

Attribute names are the standard's names in snake_case (`acturalPaid` → `actural_paid`); a
repeatable child is a tuple, an absent optional one is None; leaves are `str` exactly as written
(decimals stay strings here: business code converts them where it decides on them).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from singlewindow.message.definitions import (
    GroupDef,
    LeafDef,
    MessageDef,
    definition,
)


class Record:
    """Base of every generated record class; `element_name` is the standard's element name."""

    __slots__ = ()
    element_name: ClassVar[str]
    message_type: ClassVar[str]
    group: ClassVar[GroupDef]

    if TYPE_CHECKING:
        # Fields are generated from the definitions, so static checkers see them as Any.
        def __getattr__(self, name: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class Message:
    """One CEB message: envelope facts plus its business records in document order."""

    message_type: str  # "CEB621"
    guid: str
    version: str
    records: tuple[Record, ...]  # the business nodes (Order, Inventory, …)
    base_transfer: Record | None = None
    base_subscribe: tuple[Record, ...] = ()
    has_signature: bool = False
    # Opaque parts kept as exclusive-C14N bytes so render() can put them back unchanged.
    extend_message: bytes | None = None
    signature: bytes | None = None


@functools.cache
def record_class(message_type: str, path: str) -> type[Record]:
    """The record class of the group at `path` ("Order/OrderHead") of a message type."""
    group = group_at(definition(message_type), path)
    fields: list[tuple[str, Any]] = []
    for child in group.children:
        if isinstance(child, LeafDef | GroupDef):
            fields.append((child.field, Any))
    cls = dataclasses.make_dataclass(
        f"{message_type}{''.join(part for part in path.split('/'))}",
        fields,
        bases=(Record,),
        frozen=True,
        slots=True,
        namespace={"element_name": group.name, "message_type": message_type, "group": group},
    )
    cls.__module__ = __name__
    return cls


def group_at(message: MessageDef, path: str) -> GroupDef:
    group = message.root
    for part in path.split("/"):
        group = next(c for c in group.children if isinstance(c, GroupDef) and c.name == part)
    return group


def record_to_json(record: Record) -> dict[str, object]:
    """Element names of the standard as keys; repeatable elements always arrays; absent optional
    elements left out; leaves as strings exactly as written."""
    out: dict[str, object] = {}
    for child in record.group.children:
        if not isinstance(child, LeafDef | GroupDef):
            continue
        value = getattr(record, child.field)
        repeatable = child.max_occurs is None or child.max_occurs > 1
        if isinstance(child, GroupDef):
            if repeatable:
                out[child.name] = [record_to_json(item) for item in value]
            elif value is not None:
                out[child.name] = record_to_json(value)
        elif repeatable:
            out[child.name] = list(value)
        elif value is not None:
            out[child.name] = value
    return out
