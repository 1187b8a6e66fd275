"""Hardened XML parsing: the only way bytes from outside become an lxml tree.

Any DOCTYPE (internal subset or external DTD) is refused as hostile before anything else, so no
entity is ever expanded and no file or network resource is read. Size and depth are bounded.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lxml import etree

from singlewindow.kit.errors import DomainError, Problem

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_DEPTH = 64

# A DOCTYPE may only come before the root element, so looking at the prolog is enough; but a
# prolog can be padded with comments and PIs, so the scan is bounded by the first element tag.
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


@dataclass(frozen=True, slots=True)
class ParseLimits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH


class HostileInput(DomainError):
    """A document refused as hostile: DOCTYPE/entities, too large, too deep."""


class Unparsable(DomainError):
    """Not well-formed XML."""


def _hostile(code: str, zh: str, en: str, line: int | None = None) -> HostileInput:
    return HostileInput([Problem(code, zh, en, path="/", line=line)])


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
    collect_ids=False,
)


# Same protections; drops comments and processing instructions so that a leaf's value is always
# one text node (the codec reads values, never comments).
_VALUES_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
    collect_ids=False,
    remove_comments=True,
    remove_pis=True,
)


def parse_bytes(
    data: bytes,
    limits: ParseLimits = ParseLimits(),
    *,
    check_depth: bool = True,
    values_only: bool = False,
) -> etree._Element:
    """Parse untrusted bytes into an element tree, or raise HostileInput / Unparsable.

    libxml2 itself refuses more than 256 levels. `check_depth=False` leaves the platform's lower
    limit to the caller (`check_subtree_depth`), which knows where a valid tree can be deep.
    `values_only=True` drops comments and processing instructions.
    """
    if len(data) > limits.max_bytes:
        raise _hostile(
            "hostile.too_large",
            f"报文大小 {len(data)} 字节超过上限 {limits.max_bytes} 字节",
            f"document of {len(data)} bytes exceeds the limit of {limits.max_bytes} bytes",
        )
    # The parser gets the bytes as sent: it skips one byte-order mark and refuses a second.
    first = _FIRST_ELEMENT.search(data)
    prolog_end = first.start() if first else len(data)
    doctype = _DOCTYPE.search(data, 0, prolog_end)
    if doctype is not None:
        line = data.count(b"\n", 0, doctype.start()) + 1
        raise _hostile(
            "hostile.doctype",
            "报文含有 DOCTYPE 声明（可能的实体注入或外部 DTD），拒绝处理",
            "document contains a DOCTYPE declaration (entity or external DTD attack); refused",
            line,
        )
    try:
        root = etree.fromstring(data, _VALUES_PARSER if values_only else _PARSER)
    except etree.XMLSyntaxError as exc:
        msg = str(exc.msg or exc)
        if "DOCTYPE" in msg or "Entity" in msg or "entity" in msg:
            raise _hostile(
                "hostile.doctype",
                "报文含有实体或 DOCTYPE 声明，拒绝处理",
                f"document declares or uses entities; refused ({msg})",
                exc.lineno,
            ) from None
        if "depth" in msg.lower():
            raise _hostile(
                "hostile.too_deep",
                f"报文嵌套层数超过上限 {limits.max_depth}",
                f"document nesting exceeds the limit of {limits.max_depth}",
                exc.lineno,
            ) from None
        raise Unparsable(
            [
                Problem(
                    "xml.not_well_formed",
                    f"报文不是格式良好的 XML：{msg}",
                    f"document is not well-formed XML: {msg}",
                    path="/",
                    line=exc.lineno,
                )
            ]
        ) from None
    if root is None:
        raise Unparsable([Problem("xml.empty", "报文为空", "document is empty", path="/")])
    if check_depth:
        _check_depth(root, limits.max_depth)
    return root


@functools.lru_cache(maxsize=8)
def _deeper_than(max_depth: int) -> etree.XPath:
    # Evaluated in C: true when any element sits below max_depth levels.
    return etree.XPath("boolean(/" + "/".join(["*"] * (max_depth + 1)) + ")")


def check_subtree_depth(el: etree._Element, level: int, max_depth: int) -> None:
    """Refuse when anything below `el` (itself at `level`, the root being 1) is too deep."""
    if level > max_depth or _levels_below(max_depth + 1 - level)(el):
        raise _too_deep(max_depth)


@functools.lru_cache(maxsize=8)
def _levels_below(levels: int) -> etree.XPath:
    # Relative to the context element: true when an element sits `levels` below it.
    return etree.XPath("boolean(" + "/".join(["*"] * levels) + ")")


def _too_deep(max_depth: int) -> HostileInput:
    return _hostile(
        "hostile.too_deep",
        f"报文嵌套层数超过上限 {max_depth}",
        f"document nesting exceeds the limit of {max_depth}",
    )


def _check_depth(root: etree._Element, max_depth: int) -> None:
    # libxml2 itself stops at 256 levels (no huge_tree); the platform's own limit is lower.
    if _deeper_than(max_depth)(root):
        raise _hostile(
            "hostile.too_deep",
            f"报文嵌套层数超过上限 {max_depth}",
            f"document nesting exceeds the limit of {max_depth}",
        )
