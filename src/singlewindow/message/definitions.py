"""The CEB message definitions, loaded once from the standard's field tables (data/fields/*.csv).

Every parser, checker, renderer and schema exporter in this package is driven by these trees;
there is no hand-written per-type code. Element order, occurrences and facets are the XSDs'.
"""

from __future__ import annotations

import csv
import functools
import io
import keyword
import re
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources

CEB_NS = "http://www.chinaport.gov.cn/ceb"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"

# The other children of a message root; the remaining group is the business node.
ENVELOPE_GROUPS = frozenset({"BaseTransfer", "BaseSubscribe", "ExtendMessage"})

# Which XSD a type belongs to (SPEC §1.1/§1.2: XSD-I holds 311–900, XSD-E 213–792).
_IMPORT_NUMBERS = frozenset(
    {311, 312, 411, 412, 511, 512, 513, 514, 621, 622, 623, 624, 625, 626, 711, 712, 816, 818, 900}
)


class LeafType(StrEnum):
    STRING = "string"
    DECIMAL = "decimal"
    INT = "int"


@dataclass(frozen=True, slots=True)
class Facets:
    length: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    total_digits: int | None = None
    fraction_digits: int | None = None
    collapse: bool = False
    enumeration: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LeafDef:
    name: str
    label: str
    type: LeafType
    facets: Facets
    min_occurs: int
    max_occurs: int | None

    @property
    def field(self) -> str:
        return snake_case(self.name)


@dataclass(frozen=True, slots=True)
class AnyDef:
    """`ExtendMessage/Message`: any XML, not judged."""

    name: str
    label: str
    min_occurs: int
    max_occurs: int | None


@dataclass(frozen=True, slots=True)
class SignatureDef:
    """`ds:Signature` (XML-DSig), checked by the signing code, not by the format checker."""

    name: str
    min_occurs: int
    max_occurs: int | None


@dataclass(frozen=True, slots=True)
class GroupDef:
    name: str
    label: str
    min_occurs: int
    max_occurs: int | None
    children: tuple[ElementDef, ...]

    @property
    def field(self) -> str:
        return snake_case(self.name)


ElementDef = LeafDef | GroupDef | AnyDef | SignatureDef


@dataclass(frozen=True, slots=True)
class AttributeDef:
    name: str
    label: str
    required: bool
    facets: Facets


@dataclass(frozen=True, slots=True)
class MessageDef:
    message_type: str  # "CEB311"
    root: GroupDef  # "CEB311Message"; children in schema order
    attributes: tuple[AttributeDef, ...]
    business_node: str  # "Order"
    is_import: bool

    @property
    def business(self) -> GroupDef:
        return next(c for c in self.root.children if c.name == self.business_node)  # type: ignore[return-value]


_CAMEL_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")


@functools.cache
def snake_case(name: str) -> str:
    """`acturalPaid` → `actural_paid`, `InventoryHead` → `inventory_head`, `POD` → `pod`."""
    snake = _CAMEL_2.sub(r"\1_\2", _CAMEL_1.sub(r"\1_\2", name)).lower()
    return snake + "_" if keyword.iskeyword(snake) else snake


def _occurs(text: str) -> tuple[int, int | None]:
    low, high = text.split("..")
    return int(low), None if high == "unbounded" else int(high)


def _facets(text: str, enumeration: str) -> Facets:
    values: dict[str, str] = dict(part.split("=", 1) for part in text.split())

    def number(key: str) -> int | None:
        return int(values[key]) if key in values else None

    return Facets(
        length=number("length"),
        min_length=number("minLength"),
        max_length=number("maxLength"),
        total_digits=number("totalDigits"),
        fraction_digits=number("fractionDigits"),
        collapse=values.get("whiteSpace") == "collapse",
        enumeration=tuple(v for v in enumeration.split("|") if v) if enumeration else (),
    )


def _load(message_type: str) -> MessageDef:
    source = resources.files("singlewindow.message") / "data" / "fields" / f"{message_type}.csv"
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"))))
    # Children of a path in file order (= schema order).
    children: dict[str, list[dict[str, str]]] = {}
    attributes: list[AttributeDef] = []
    for row in rows[1:]:
        parent, _, _ = row["path"].rpartition("/")
        if row["kind"] == "attribute":
            attributes.append(
                AttributeDef(
                    name=row["element"].lstrip("@"),
                    label=row["label"],
                    required=row["occurs"] == "required",
                    facets=_facets(row["facets"], row["enumeration"]),
                )
            )
        else:
            children.setdefault(parent, []).append(row)

    def build(row: dict[str, str]) -> ElementDef:
        low, high = _occurs(row["occurs"])
        if row["kind"] == "group":
            kids = tuple(build(child) for child in children.get(row["path"], []))
            return GroupDef(row["element"], row["label"], low, high, kids)
        if row["kind"] == "external":
            return SignatureDef(row["element"], low, high)
        if row["type"] == "ceb:XMLElement":
            return AnyDef(row["element"], row["label"], low, high)
        return LeafDef(
            row["element"],
            row["label"],
            LeafType(row["type"]),
            _facets(row["facets"], row["enumeration"]),
            low,
            high,
        )

    root = build(rows[0])
    assert isinstance(root, GroupDef)
    business = next(c.name for c in root.children if c.name not in ENVELOPE_GROUPS)
    return MessageDef(
        message_type=message_type,
        root=root,
        attributes=tuple(attributes),
        business_node=business,
        is_import=int(message_type[3:]) in _IMPORT_NUMBERS,
    )


def _list_types() -> tuple[str, ...]:
    folder = resources.files("singlewindow.message") / "data" / "fields"
    names = (entry.name for entry in folder.iterdir() if entry.name.endswith(".csv"))
    return tuple(sorted(name.removesuffix(".csv") for name in names))


MESSAGE_TYPES: tuple[str, ...] = _list_types()
_KNOWN = frozenset(MESSAGE_TYPES)


@functools.cache
def definition(message_type: str) -> MessageDef:
    """The definition of "CEB311" (also accepts "CEB311Message"); KeyError when unknown."""
    key = message_type.removesuffix("Message")
    if key not in _KNOWN:
        raise KeyError(message_type)
    return _load(key)


def is_import(message_type: str) -> bool:
    return definition(message_type).is_import


def business_node(message_type: str) -> str:
    return definition(message_type).business_node


def message_type_of_root(local_name: str) -> str | None:
    """ "CEB311Message" → "CEB311"; None for anything that is not a known root."""
    if not local_name.endswith("Message"):
        return None
    key = local_name.removesuffix("Message")
    return key if key in _KNOWN else None
