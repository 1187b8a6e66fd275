"""Schemas exported from the definitions: an XSD per message type and a JSON Schema of the
`message show` JSON. The XSD judges every document exactly as `check` does (tested)."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import quoteattr

from lxml import etree

from singlewindow.message.definitions import (
    CEB_NS,
    DS_NS,
    MESSAGE_TYPES,
    AnyDef,
    ElementDef,
    Facets,
    GroupDef,
    LeafDef,
    LeafType,
    SignatureDef,
    definition,
)

XMLDSIG_LOCATION = "xmldsig-minimal.xsd"
_XS = "http://www.w3.org/2001/XMLSchema"

# Only what the format check needs of XML-DSig: a `ds:Signature` element whose content is left
# to the signature verifier.
XMLDSIG_MINIMAL_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="{_XS}" targetNamespace="{DS_NS}" elementFormDefault="qualified">
  <xs:element name="Signature">
    <xs:complexType mixed="true">
      <xs:sequence>
        <xs:any minOccurs="0" maxOccurs="unbounded" processContents="skip"/>
      </xs:sequence>
      <xs:anyAttribute processContents="skip"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""


def _occurs(low: int, high: int | None) -> str:
    top = "unbounded" if high is None else str(high)
    return f' minOccurs="{low}" maxOccurs="{top}"'


def _restriction(kind: LeafType, facets: Facets, pad: str) -> list[str]:
    lines = [f"{pad}<xs:simpleType>", f'{pad}  <xs:restriction base="xs:{kind.value}">']
    for name, value in (
        ("length", facets.length),
        ("minLength", facets.min_length),
        ("maxLength", facets.max_length),
        ("totalDigits", facets.total_digits),
        ("fractionDigits", facets.fraction_digits),
    ):
        if value is not None:
            lines.append(f'{pad}    <xs:{name} value="{value}"/>')
    if facets.collapse:
        lines.append(f'{pad}    <xs:whiteSpace value="collapse"/>')
    lines.extend(f"{pad}    <xs:enumeration value={quoteattr(v)}/>" for v in facets.enumeration)
    lines += [f"{pad}  </xs:restriction>", f"{pad}</xs:simpleType>"]
    return lines


def _element(child: ElementDef, pad: str) -> list[str]:
    occurs = _occurs(child.min_occurs, child.max_occurs)
    if isinstance(child, SignatureDef):
        return [f'{pad}<xs:element ref="ds:{child.name}"{occurs}/>']
    head = f'{pad}<xs:element name="{child.name}"{occurs}>'
    if isinstance(child, LeafDef):
        return [head, *_restriction(child.type, child.facets, pad + "  "), f"{pad}</xs:element>"]
    if isinstance(child, AnyDef):
        return [
            head,
            f'{pad}  <xs:complexType mixed="true">',
            f"{pad}    <xs:sequence>",
            f'{pad}      <xs:any minOccurs="0" maxOccurs="unbounded" processContents="skip"/>',
            f"{pad}    </xs:sequence>",
            f'{pad}    <xs:anyAttribute processContents="skip"/>',
            f"{pad}  </xs:complexType>",
            f"{pad}</xs:element>",
        ]
    return [head, *_complex(child, pad + "  ", ()), f"{pad}</xs:element>"]


def _complex(group: GroupDef, pad: str, attributes: tuple[str, ...]) -> list[str]:
    lines = [f"{pad}<xs:complexType>", f"{pad}  <xs:sequence>"]
    for child in group.children:
        lines += _element(child, pad + "    ")
    lines.append(f"{pad}  </xs:sequence>")
    lines += attributes
    lines.append(f"{pad}</xs:complexType>")
    return lines


@functools.cache
def xsd(message_type: str) -> str:
    """The XSD of one message type (imports `ds:Signature` from XMLDSIG_MINIMAL_XSD)."""
    spec = definition(message_type)
    pad = "      "
    attributes: list[str] = []
    for attribute in spec.attributes:
        use = "required" if attribute.required else "optional"
        attributes.append(f'{pad[2:]}<xs:attribute name="{attribute.name}" use="{use}">')
        attributes += _restriction(LeafType.STRING, attribute.facets, pad)
        attributes.append(f"{pad[2:]}</xs:attribute>")
    root = spec.root
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<xs:schema xmlns:xs="{_XS}" xmlns:ceb="{CEB_NS}" xmlns:ds="{DS_NS}"'
        f' targetNamespace="{CEB_NS}" elementFormDefault="qualified"'
        ' attributeFormDefault="unqualified">',
        f'  <xs:import namespace="{DS_NS}" schemaLocation="{XMLDSIG_LOCATION}"/>',
        f'  <xs:element name="{root.name}">',
        *_complex(root, "    ", tuple(attributes)),
        "  </xs:element>",
        "</xs:schema>",
        "",
    ]
    return "\n".join(lines)


class _DsigResolver(etree.Resolver):
    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:  # type: ignore[override]
        if system_url.endswith(XMLDSIG_LOCATION):
            return self.resolve_string(XMLDSIG_MINIMAL_XSD.encode(), context, base_url=system_url)
        return None


@dataclass(frozen=True, slots=True)
class Validator:
    """A compiled schema, shared by the process's threads; `lock` is held while one of them
    validates and reads the error log (lxml keeps one log per schema object)."""

    schema: etree.XMLSchema
    lock: threading.Lock


def compiled_xsd(message_type: str) -> etree.XMLSchema:
    """The exported XSD of a message type, compiled by libxml2."""
    return validator(message_type).schema


def validator(message_type: str) -> Validator:
    """Every message type's schema is compiled at the first call, all at once (about 50 ms),
    and never again: libxml2 compiling a schema while another thread validates fails at random
    ("does not resolve", "Facet length has no value"), so no compile may follow a validation."""
    compiled = _ALL
    if compiled is None:
        compiled = _compile_all()
    return compiled[message_type]


_ALL: dict[str, Validator] | None = None
_ALL_LOCK = threading.Lock()


def _compile_all() -> dict[str, Validator]:
    global _ALL
    with _ALL_LOCK:
        if _ALL is None:
            _ALL = {t: Validator(_compile(t), threading.Lock()) for t in MESSAGE_TYPES}
        return _ALL


def _compile(message_type: str) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    parser.resolvers.add(_DsigResolver())
    document = etree.fromstring(xsd(message_type).encode(), parser, base_url="urn:ceb:schema/")
    return etree.XMLSchema(document)


_DECIMAL_PATTERN = r"^[ \t\n\r]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)[ \t\n\r]*$"
_INT_PATTERN = r"^[ \t\n\r]*[+-]?[0-9]+[ \t\n\r]*$"


def _leaf_schema(leaf: LeafDef) -> dict[str, Any]:
    facets = leaf.facets
    out: dict[str, Any] = {"type": "string"}
    if leaf.label:
        out["title"] = leaf.label
    if leaf.type is LeafType.DECIMAL:
        out["pattern"] = _DECIMAL_PATTERN
    elif leaf.type is LeafType.INT:
        out["pattern"] = _INT_PATTERN
    else:
        low = facets.length if facets.length is not None else facets.min_length
        high = facets.length if facets.length is not None else facets.max_length
        if low:
            out["minLength"] = low
        if high is not None:
            out["maxLength"] = high
    if facets.enumeration:
        out["enum"] = list(facets.enumeration)
    return out


def _group_schema(group: GroupDef) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for child in group.children:
        if not isinstance(child, LeafDef | GroupDef):
            continue
        item = _leaf_schema(child) if isinstance(child, LeafDef) else _group_schema(child)
        if child.max_occurs is None or child.max_occurs > 1:
            array: dict[str, Any] = {"type": "array", "items": item, "minItems": child.min_occurs}
            if child.max_occurs is not None:
                array["maxItems"] = child.max_occurs
            item = array
        properties[child.name] = item
        if child.min_occurs:
            required.append(child.name)
    out: dict[str, Any] = {"type": "object", "properties": properties}
    out["additionalProperties"] = False
    if required:
        out["required"] = required
    if group.label:
        out["title"] = group.label
    return out


@functools.cache
def _json_schema(message_type: str) -> dict[str, Any]:
    spec = definition(message_type)
    business = spec.business
    records: dict[str, Any] = {"type": "array", "items": _group_schema(business)}
    records["minItems"] = business.min_occurs
    if business.max_occurs is not None:
        records["maxItems"] = business.max_occurs
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{spec.root.name} ({business.name} records, as printed by `message show`)",
        "type": "object",
        "properties": {
            "message_type": {"const": spec.message_type},
            "guid": {"type": "string", "minLength": 36, "maxLength": 36},
            "records": records,
        },
        "required": ["message_type", "guid", "records"],
    }


def json_schema(message_type: str) -> dict[str, Any]:
    """JSON Schema (2020-12) of `message show --json` output for one message type."""
    import copy

    return copy.deepcopy(_json_schema(definition(message_type).message_type))
