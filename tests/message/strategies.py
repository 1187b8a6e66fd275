"""Hypothesis strategies generated from the message definitions: valid values per facet."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from lxml import etree

from singlewindow.message import Message, definition
from singlewindow.message.definitions import CEB_NS, DS_NS, GroupDef, LeafDef, LeafType
from singlewindow.message.records import record_class

# XML-safe characters: printable ASCII (markup characters included, to test escaping), some
# whitespace, CJK and a character outside the BMP.
_ALPHABET = st.sampled_from([*"AZaz09 -._<>&'\"\t\n\r订单编号人民币€", "\U0001f600"])
_NO_SPACE = st.sampled_from(list("AZaz09-._<>&订单"))


def _exclusive_c14n(xml: str) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n", exclusive=True)


SIGNATURE = _exclusive_c14n(
    f'<ds:Signature xmlns:ds="{DS_NS}"><ds:SignedInfo><ds:Reference URI="">'
    "<ds:DigestValue>SF/P+2sVsRQ9dJIqJSroW6ajb0Y=</ds:DigestValue></ds:Reference>"
    "</ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>"
)
EXTEND_MESSAGE = _exclusive_c14n(
    f'<ceb:ExtendMessage xmlns:ceb="{CEB_NS}"><ceb:name>ext</ceb:name>'
    '<ceb:version>1.0</ceb:version><ceb:Message><x a="1">text<y/></x> tail'
    "</ceb:Message></ceb:ExtendMessage>"
)


def leaf_values(leaf: LeafDef) -> st.SearchStrategy[str]:
    facets = leaf.facets
    if facets.enumeration:
        return st.sampled_from(facets.enumeration)
    if leaf.type is LeafType.DECIMAL:
        total = facets.total_digits or 19
        frac = facets.fraction_digits if facets.fraction_digits is not None else 5
        whole = total - frac
        return st.from_regex(rf"-?[0-9]{{1,{whole}}}(\.[0-9]{{0,{frac}}})?", fullmatch=True)
    if leaf.type is LeafType.INT:
        bound = min(2**31 - 1, 10 ** (facets.total_digits or 10) - 1)
        return st.integers(-min(bound, 2**31), bound).map(str)
    low = facets.length if facets.length is not None else facets.min_length or 0
    high = facets.length if facets.length is not None else min(facets.max_length or 40, 40)
    if facets.collapse:
        return st.text(_NO_SPACE, min_size=low, max_size=high)
    return st.text(_ALPHABET, min_size=low, max_size=high)


def records(message_type: str, path: str, group: GroupDef) -> st.SearchStrategy[Any]:
    parts: list[st.SearchStrategy[Any]] = []
    for child in group.children:
        if isinstance(child, LeafDef):
            value = leaf_values(child)
        elif isinstance(child, GroupDef):
            value = records(message_type, f"{path}/{child.name}", child)
        else:
            continue
        high = child.max_occurs if child.max_occurs is not None else 3
        if high > 1:
            parts.append(
                st.lists(value, min_size=child.min_occurs, max_size=min(high, 2)).map(tuple)
            )
        elif child.min_occurs == 0:
            parts.append(st.none() | value)
        else:
            parts.append(value)
    cls = record_class(message_type, path)
    return st.tuples(*parts).map(lambda values: cls(*values))


def messages(message_type: str) -> st.SearchStrategy[Message]:
    spec = definition(message_type)
    children = {c.name: c for c in spec.root.children}
    business = spec.business
    high = business.max_occurs if business.max_occurs is not None else 2
    kwargs: dict[str, st.SearchStrategy[Any]] = {
        "records": st.lists(
            records(message_type, business.name, business),
            min_size=business.min_occurs,
            max_size=min(high, 2),
        ).map(tuple),
    }
    for name, field in (("BaseTransfer", "base_transfer"), ("BaseSubscribe", "base_subscribe")):
        group = children.get(name)
        if isinstance(group, GroupDef):
            one = records(message_type, name, group)
            kwargs[field] = st.lists(one, max_size=2).map(tuple) if group.max_occurs != 1 else one
    if "ExtendMessage" in children:
        kwargs["extend_message"] = st.sampled_from([None, EXTEND_MESSAGE])
    signature = children.get("Signature")
    if signature is not None:
        options = [SIGNATURE] if signature.min_occurs else [None, SIGNATURE]
        kwargs["signature"] = st.sampled_from(options)
    guid = st.text(_NO_SPACE, min_size=36, max_size=36)
    version = st.text(_NO_SPACE, min_size=1, max_size=10)

    def build(guid: str, version: str, parts: dict[str, Any]) -> Message:
        signed = parts.get("signature")
        return Message(message_type, guid, version, has_signature=signed is not None, **parts)

    return st.builds(build, guid, version, st.fixed_dictionaries(kwargs))
