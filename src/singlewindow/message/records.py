"""Typed frozen records generated from the definitions: one class per group of each message type.

Attribute names are the standard's names in snake_case (`acturalPaid` → `actural_paid`); a
repeatable child is a tuple, an absent optional one is None; leaves are `str` exactly as written
(decimals stay strings here: business code converts them where it decides on them).
"""

from __future__ import annotations

import dataclasses
import functools
import operator
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
    plan = _PLANS.get(type(record))
    if plan is None:
        plan = _PLANS[type(record)] = _json_plan(type(record))
    names, kinds, values_of = plan
    out: dict[str, object] = {}
    for name, kind, value in zip(names, kinds, values_of(record), strict=True):
        if kind == _LEAF:
            if value is not None:
                out[name] = value
        elif kind == _LEAVES:
            out[name] = list(value)
        elif kind == _GROUP:
            if value is not None:
                out[name] = record_to_json(value)
        else:
            out[name] = [record_to_json(item) for item in value]
    return out


_LEAF, _LEAVES, _GROUP, _GROUPS = range(4)
_Plan = tuple[tuple[str, ...], tuple[int, ...], Any]
_PLANS: dict[type[Record], _Plan] = {}


def _json_plan(cls: type[Record]) -> _Plan:
    """Per record class, once: its children's element names, kinds (leaf or group, repeatable
    or not) and one getter for all their values (this runs for every record of every message)."""
    names: list[str] = []
    kinds: list[int] = []
    fields: list[str] = []
    for child in cls.group.children:
        if not isinstance(child, LeafDef | GroupDef):
            continue
        repeatable = child.max_occurs is None or child.max_occurs > 1
        names.append(child.name)
        kinds.append((_GROUP if isinstance(child, GroupDef) else _LEAF) + int(repeatable))
        fields.append(child.field)
    if not fields:
        return (), (), lambda _record: ()
    getter = operator.attrgetter(*fields)
    values_of = getter if len(fields) > 1 else (lambda record: (getter(record),))
    return tuple(names), tuple(kinds), values_of
