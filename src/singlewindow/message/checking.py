"""The rich format checker: every XSD rule broken, with a stable code, path, line and message.

The rules are exactly the XSD's (sequence order, occurrences, facets, attributes), nothing more:
code lists, check digits and arithmetic are judged by business code. Each group is compiled once
into flat per-child tables, shared with the fast reader of valid documents in `decoding`.
"""

from __future__ import annotations

import functools
from typing import Any

from lxml import etree

from singlewindow.kit.errors import Problem
from singlewindow.message.definitions import (
    CEB_NS,
    DS_NS,
    GroupDef,
    LeafDef,
    LeafType,
    MessageDef,
    SignatureDef,
    definition,
)
from singlewindow.message.facets import fast_matcher, length_bounds, violation
from singlewindow.message.records import Record, record_class

_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
_XSI_ALLOWED = frozenset({_XSI + "schemaLocation", _XSI + "noNamespaceSchemaLocation"})
_UNBOUNDED = 1 << 62

# Child kinds in the compiled tables.
STRING, SLOW, FAST, GROUP, EXTEND, SIGNATURE, ANY = range(7)


class _Compiled:
    """Flat tables of one group: tag → child index, and per index its kind and limits."""

    __slots__ = (
        "cls",
        "defs",
        "fast",
        "flat",
        "group",
        "highs",
        "kinds",
        "lows",
        "maxs",
        "mins",
        "n",
        "names",
        "repeat",
        "repeated",
        "subs",
        "tags",
    )  # fmt: skip

    def __init__(self, message_type: str, path: str, group: GroupDef, is_root: bool) -> None:
        self.group = group
        self.cls: type[Record] | None = None if is_root else record_class(message_type, path)
        self.n = len(group.children)
        self.tags: dict[str, int] = {}
        self.defs: list[Any] = []
        self.names: list[str] = []
        self.kinds: list[int] = []
        self.mins: list[int] = []
        self.maxs: list[int] = []
        self.lows: list[int] = []
        self.highs: list[int] = []
        self.fast: list[Any] = []
        self.subs: list[_Compiled | None] = []
        self.repeat: list[bool] = []
        for index, child in enumerate(group.children):
            ns = DS_NS if isinstance(child, SignatureDef) else CEB_NS
            self.tags[f"{{{ns}}}{child.name}"] = index
            self.defs.append(child)
            self.names.append(child.name)
            self.mins.append(child.min_occurs)
            high = _UNBOUNDED if child.max_occurs is None else child.max_occurs
            self.maxs.append(high)
            self.repeat.append(high > 1)
            low, top, fast, sub = 0, 0, None, None
            child_path = f"{path}/{child.name}".lstrip("/")
            if isinstance(child, LeafDef):
                fast = fast_matcher(child.type, child.facets)
                if child.type is LeafType.STRING and fast is None:
                    slow = bool(child.facets.enumeration or child.facets.collapse)
                    kind = SLOW if slow else STRING
                    low, top = length_bounds(child.facets)
                else:
                    kind = FAST if fast is not None else SLOW
            elif isinstance(child, GroupDef):
                kind = EXTEND if is_root and child.name == "ExtendMessage" else GROUP
                sub = _Compiled(message_type, child_path, child, False)
            elif isinstance(child, SignatureDef):
                kind = SIGNATURE
            else:
                kind = ANY
            self.kinds.append(kind)
            self.lows.append(low)
            self.highs.append(top)
            self.fast.append(fast)
            self.subs.append(sub)
        self.repeated = tuple(i for i, many in enumerate(self.repeat) if many)
        self.flat = not self.repeated and all(kind <= FAST for kind in self.kinds)


@functools.cache
def compiled_root(message_type: str) -> _Compiled:
    return _Compiled(message_type, "", definition(message_type).root, True)


def _problem(code: str, zh: str, en: str, path: str, el: Any) -> Problem:
    return Problem(code, zh, en, path=path, line=el.sourceline)


def _is_text(text: str | None) -> bool:
    # XML whitespace is only space, tab, CR and LF: all ASCII, and the parser already refused the
    # other ASCII controls that str.isspace() would accept.
    return bool(text) and not (text.isascii() and text.isspace())  # type: ignore[union-attr]


def _simple_text(el: Any, path: str, problems: list[Problem]) -> str:
    """The value of a leaf that has child nodes: comments and PIs are skipped, elements are not
    allowed in simple content."""
    parts = [el.text or ""]
    for node in el:
        if isinstance(node.tag, str):
            problems.append(
                _problem(
                    "format.not_simple",
                    f"元素 {path} 只能包含文本，不能包含子元素",
                    f"element {path} holds a value; child elements are not allowed",
                    path,
                    node,
                )
            )
        parts.append(node.tail or "")
    return "".join(parts)


def _walk(el: Any, comp: _Compiled, path: str, problems: list[Problem]) -> None:
    """Judge one group element, appending every problem found in it and below it."""
    tags, kinds, maxs = comp.tags, comp.kinds, comp.maxs
    if _is_text(el.text):
        problems.append(_text_problem(path, el))
    pos, count = -1, 0
    reported_late: set[int] = set()
    for child in el:
        tail = child.tail
        if tail and not (tail.isascii() and tail.isspace()):
            problems.append(_text_problem(path, child))
        tag = child.tag
        if tag.__class__ is not str:  # comment or processing instruction
            continue
        index = tags.get(tag)
        if index is None:
            problems.append(_unknown(child, comp, path))
            continue
        if index != pos:
            if index < pos:
                if index not in reported_late:
                    problems.append(_order(child, comp, index, pos, path))
                continue
            if pos >= 0 and count < comp.mins[pos]:
                problems.append(_missing(el, comp, pos, path))
            for skipped in range(pos + 1, index):
                if comp.mins[skipped]:
                    late = _later_sibling(child, comp, skipped)
                    if late is None:
                        problems.append(_missing(el, comp, skipped, path))
                    else:
                        # Present but after `child`: one order error, not "missing" + "order".
                        reported_late.add(skipped)
                        problems.append(_order(late, comp, skipped, index, path))
            pos, count = index, 0
        count += 1
        if count > maxs[index]:
            problems.append(_too_many(child, comp, index, count, path))
            continue
        if child.attrib and kinds[index] not in (SIGNATURE, ANY):
            where = _child_path(comp, index, count, path)
            problems.extend(
                _unknown_attribute(child, name, where)
                for name in child.attrib
                if name not in _XSI_ALLOWED
            )
        kind = kinds[index]
        if kind <= FAST:
            text = child.text
            if len(child):
                text = _simple_text(child, _child_path(comp, index, count, path), problems)
            elif text is None:
                text = ""
            if kind == STRING:
                size = len(text)
                if size < comp.lows[index] or size > comp.highs[index]:
                    found = _leaf(child, comp, index, count, path, text)
                    if found is not None:
                        problems.append(found)
            elif kind == SLOW or comp.fast[index](text) is None:
                found = _leaf(child, comp, index, count, path, text)
                if found is not None:
                    problems.append(found)
        elif kind in (GROUP, EXTEND):
            sub = comp.subs[index]
            assert sub is not None
            _walk(child, sub, _child_path(comp, index, count, path), problems)
        # SIGNATURE and ANY: opaque, judged by the signature verifier or not at all.
    if pos >= 0 and count < comp.mins[pos]:
        problems.append(_missing(el, comp, pos, path))
    for skipped in range(pos + 1, comp.n):
        if comp.mins[skipped]:
            problems.append(_missing(el, comp, skipped, path))


def _child_path(comp: _Compiled, index: int, count: int, path: str) -> str:
    name = comp.names[index]
    return f"{path}/{name}[{count}]" if comp.repeat[index] or count > 1 else f"{path}/{name}"


def _text_problem(path: str, el: Any) -> Problem:
    return _problem(
        "format.unexpected_text",
        f"元素 {path} 只能包含子元素，不能包含文本",
        f"element {path} may only hold child elements, not text",
        path,
        el,
    )


def _unknown(child: Any, comp: _Compiled, path: str) -> Problem:
    name = etree.QName(child).localname
    expected = ", ".join(comp.names)
    return _problem(
        "format.unknown_element",
        f"{comp.group.name} 中不允许出现元素 {name}"
        f"（允许的元素：{expected}；命名空间须为 {CEB_NS}）",
        f"element {name} is not allowed in {comp.group.name} (allowed: {expected}; "
        f"namespace {CEB_NS})",
        f"{path}/{name}",
        child,
    )


def _later_sibling(child: Any, comp: _Compiled, index: int) -> Any:
    tag = next(t for t, i in comp.tags.items() if i == index)
    return next(child.itersiblings(tag), None)


def _order(child: Any, comp: _Compiled, index: int, pos: int, path: str) -> Problem:
    name, after = comp.names[index], comp.names[pos]
    return _problem(
        "format.order",
        f"元素 {name} 的顺序不符合报文规范：应在 {after} 之前",
        f"element {name} is out of schema order: it must come before {after}",
        f"{path}/{name}",
        child,
    )


def _missing(parent: Any, comp: _Compiled, index: int, path: str) -> Problem:
    child = comp.defs[index]
    name = child.name
    label = getattr(child, "label", "")
    field = f"{label}（{name}）" if label else name
    return _problem(
        "format.missing",
        f"缺少必填元素 {field}",
        f"required element {name} is missing",
        f"{path}/{name}",
        parent,
    )


def _too_many(child: Any, comp: _Compiled, index: int, count: int, path: str) -> Problem:
    name, high = comp.names[index], comp.maxs[index]
    return _problem(
        "format.too_many",
        f"元素 {name} 出现第 {count} 次，规范最多允许 {high} 次",
        f"element {name} occurs {count} times; at most {high} allowed",
        f"{path}/{name}[{count}]",
        child,
    )


def _leaf(
    child: Any, comp: _Compiled, index: int, count: int, path: str, text: str
) -> Problem | None:
    leaf: LeafDef = comp.defs[index]
    found = violation(leaf.name, leaf.label, leaf.type, leaf.facets, text)
    if found is None:
        return None
    where = _child_path(comp, index, count, path)
    return _problem(found.code, found.message_zh, found.message_en, where, child)


def _check_attributes(root: Any, spec: MessageDef, path: str, problems: list[Problem]) -> None:
    attrib = root.attrib
    for attribute in spec.attributes:
        value = attrib.get(attribute.name)
        where = f"{path}/@{attribute.name}"
        if value is None:
            if attribute.required:
                problems.append(
                    _problem(
                        "format.missing_attribute",
                        f"根元素缺少必填属性 {attribute.name}",
                        f"the root element lacks the required attribute {attribute.name}",
                        where,
                        root,
                    )
                )
            continue
        found = violation(attribute.name, attribute.label, LeafType.STRING, attribute.facets, value)
        if found is not None:
            problems.append(_problem(found.code, found.message_zh, found.message_en, where, root))
    declared = {attribute.name for attribute in spec.attributes}
    for name in attrib:
        if name not in declared and name not in _XSI_ALLOWED:
            problems.append(_unknown_attribute(root, name, path))


def _unknown_attribute(el: Any, name: str, path: str) -> Problem:
    return _problem(
        "format.unknown_attribute",
        f"元素 {path} 不允许有属性 {name}",
        f"attribute {name} is not allowed on {path}",
        f"{path}/@{name}",
        el,
    )


def root_problems(root: Any, message_type: str) -> list[Problem]:
    """Every format problem of a tree whose root is a known message type."""
    spec = definition(message_type)
    path = "/" + etree.QName(root).localname
    problems: list[Problem] = []
    _check_attributes(root, spec, path, problems)
    _walk(root, compiled_root(message_type), path, problems)
    return problems


def wrong_root(root: Any) -> Problem:
    qname = etree.QName(root)
    expected = f"CEBnnnMessage, {CEB_NS}"
    return _problem(
        "format.wrong_root",
        f"根元素 {qname.localname} 不是报文规范定义的报文（应为 {expected}）",
        f"root element {qname.localname} is not a message of the standard (expected {expected})",
        f"/{qname.localname}",
        root,
    )
