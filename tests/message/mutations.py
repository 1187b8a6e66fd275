"""Mutations of the official CEB311 sample, each breaking one XSD rule (shared by the checker and
the XSD-agreement tests)."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy

from lxml import etree
from samples import sample

CEB = "http://www.chinaport.gov.cn/ceb"
NS = {"ceb": CEB}


def q(name: str) -> str:
    return f"{{{CEB}}}{name}"


def base_root() -> etree._Element:
    data = sample("CEB311")
    return etree.fromstring(data.removeprefix(b"\xef\xbb\xbf"))


def first(root: etree._Element, xpath: str) -> etree._Element:
    found = root.xpath(xpath, namespaces=NS)
    assert isinstance(found, list) and found
    el = found[0]
    assert isinstance(el, etree._Element)
    return el


def set_text(xpath: str, text: str) -> Callable[[etree._Element], None]:
    def apply(root: etree._Element) -> None:
        first(root, xpath).text = text

    return apply


def remove(xpath: str) -> Callable[[etree._Element], None]:
    def apply(root: etree._Element) -> None:
        el = first(root, xpath)
        parent = el.getparent()
        assert parent is not None
        parent.remove(el)

    return apply


def swap_with_next(xpath: str) -> Callable[[etree._Element], None]:
    def apply(root: etree._Element) -> None:
        el = first(root, xpath)
        following = el.getnext()
        assert following is not None
        following.addnext(el)

    return apply


def duplicate(xpath: str) -> Callable[[etree._Element], None]:
    def apply(root: etree._Element) -> None:
        el = first(root, xpath)
        el.addnext(deepcopy(el))

    return apply


def insert_after(xpath: str, tag: str, text: str = "x") -> Callable[[etree._Element], None]:
    def apply(root: etree._Element) -> None:
        el = first(root, xpath)
        extra = etree.Element(tag)
        extra.text = text
        el.addnext(extra)

    return apply


def set_attr(xpath: str, name: str, value: str | None) -> Callable[[etree._Element], None]:
    def apply(root: etree._Element) -> None:
        el = first(root, xpath)
        if value is None:
            del el.attrib[name]
        else:
            el.set(name, value)

    return apply


HEAD2 = "/ceb:CEB311Message/ceb:Order[2]/ceb:OrderHead"
LIST1 = "/ceb:CEB311Message/ceb:Order[1]/ceb:OrderList[1]"
P_HEAD2 = "/CEB311Message/Order[2]/OrderHead"
P_LIST1 = "/CEB311Message/Order[1]/OrderList[1]"
ORDER_NO = "order20160321116421002"

# (id, mutation, code, path, record)
MUTATIONS: list[tuple[str, Callable[[etree._Element], None], str, str, str]] = [
    ("too_long", set_text(f"{HEAD2}/ceb:orderNo", "N" * 61), "format.too_long",
     f"{P_HEAD2}/orderNo", "N" * 61),
    ("empty_required", set_text(f"{HEAD2}/ceb:ebpName", ""), "format.missing",
     f"{P_HEAD2}/ebpName", ORDER_NO),
    ("wrong_length", set_text(f"{HEAD2}/ceb:currency", "1420"), "format.length",
     f"{P_HEAD2}/currency", ORDER_NO),
    ("missing_required", remove(f"{HEAD2}/ceb:buyerName"), "format.missing",
     f"{P_HEAD2}/buyerName", ORDER_NO),
    ("wrong_order", swap_with_next(f"{HEAD2}/ceb:ebpCode"), "format.order",
     f"{P_HEAD2}/ebpCode", ORDER_NO),
    ("too_many_digits", set_text(f"{HEAD2}/ceb:freight", "12345678901234567890"),
     "format.digits", f"{P_HEAD2}/freight", ORDER_NO),
    ("too_many_fraction_digits", set_text(f"{HEAD2}/ceb:freight", "1.123456"),
     "format.fraction_digits", f"{P_HEAD2}/freight", ORDER_NO),
    ("not_decimal", set_text(f"{HEAD2}/ceb:freight", "1,5"), "format.not_decimal",
     f"{P_HEAD2}/freight", ORDER_NO),
    ("wrong_int", set_text(f"{LIST1}/ceb:gnum", "1.0"), "format.not_int",
     f"{P_LIST1}/gnum", ORDER_NO),
    ("int_out_of_range", set_text(f"{LIST1}/ceb:gnum", "2147483648"), "format.int_range",
     f"{P_LIST1}/gnum", ORDER_NO),
    ("extra_element", insert_after(f"{HEAD2}/ceb:orderNo", q("orderCode")),
     "format.unknown_element", f"{P_HEAD2}/orderCode", ORDER_NO),
    ("element_without_namespace", insert_after(f"{HEAD2}/ceb:orderNo", "orderNo"),
     "format.unknown_element", f"{P_HEAD2}/orderNo", ORDER_NO),
    ("duplicated_leaf", duplicate(f"{HEAD2}/ceb:orderNo"), "format.too_many",
     f"{P_HEAD2}/orderNo[2]", ORDER_NO),
    ("duplicated_base_transfer", duplicate("/ceb:CEB311Message/ceb:BaseTransfer"),
     "format.too_many", "/CEB311Message/BaseTransfer[2]", ""),
    ("missing_base_transfer", remove("/ceb:CEB311Message/ceb:BaseTransfer"), "format.missing",
     "/CEB311Message/BaseTransfer", ""),
    ("missing_guid", set_attr("/ceb:CEB311Message", "guid", None),
     "format.missing_attribute", "/CEB311Message/@guid", ""),
    ("short_guid", set_attr("/ceb:CEB311Message", "guid", "ABC"), "format.length",
     "/CEB311Message/@guid", ""),
    ("unknown_attribute", set_attr(f"{HEAD2}/ceb:orderNo", "lang", "zh"),
     "format.unknown_attribute", f"{P_HEAD2}/orderNo/@lang", ORDER_NO),
    ("text_in_group", set_text(HEAD2, "loose text"), "format.unexpected_text", P_HEAD2,
     ORDER_NO),
    ("element_in_leaf", insert_after(f"{HEAD2}/ceb:orderNo/..", q("x")),
     "format.unknown_element", "/CEB311Message/Order[2]/x", ORDER_NO),
]  # fmt: skip
