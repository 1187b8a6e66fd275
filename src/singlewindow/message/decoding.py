"""decode / check: parse, judge the format, build typed records.

Valid documents take the fast path: the exported XSD compiled by libxml2 judges the tree in C, then
one light walk reads the values into records. Only a refused document is walked by the rich
checker (`checking`) that names every error; if it finds nothing the XSD's own verdict is kept,
so `check` and the XSD can never disagree about validity.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from singlewindow.kit.errors import DomainError, Problem
from singlewindow.message.checking import (
    EXTEND,
    FAST,
    GROUP,
    SIGNATURE,
    compiled_root,
    root_problems,
    wrong_root,
)
from singlewindow.message.definitions import (
    CEB_NS,
    DS_NS,
    SignatureDef,
    definition,
    message_type_of_root,
)
from singlewindow.message.records import Message
from singlewindow.message.schema import validator
from singlewindow.message.xmlsafe import (
    HostileInput,
    ParseLimits,
    Unparsable,
    check_subtree_depth,
    parse_bytes,
)

__all__ = ["CheckResult", "FormatInvalid", "check", "decode"]

DEFAULT_LIMITS = ParseLimits()
_SIGNATURE_TAG = f"{{{DS_NS}}}Signature"
_EXTEND_TAG = f"{{{CEB_NS}}}ExtendMessage"

# Fields whose values identify a business record in receipts (SPEC §3.1 receipt heads).
KEY_FIELDS = (
    "guid", "orderNo", "ebpCode", "ebcCode", "payCode", "payTransactionId", "logisticsCode",
    "logisticsNo", "agentCode", "copNo", "preNo", "invtNo", "customsCode", "billNo", "taxNo",
)  # fmt: skip
_PRIMARY_KEYS = ("orderNo", "payTransactionId", "logisticsNo", "copNo", "invtNo", "preNo",
                 "billNo", "taxNo", "guid")  # fmt: skip


class FormatInvalid(DomainError):
    """The message breaks the standard's schema; `problems` lists every error found."""

    def __init__(
        self,
        problems: list[Problem],
        *,
        message_type: str | None = None,
        record_keys: tuple[dict[str, str], ...] = (),
    ) -> None:
        self.message_type = message_type
        # Per business record, in document order: the identifying leaves that could be read
        # (guid, orderNo, ebpCode, invtNo, …), so a receipt per record can still be made.
        self.record_keys = record_keys
        super().__init__(problems)


@dataclass(frozen=True, slots=True)
class CheckResult:
    message_type: str | None
    valid: bool
    records: int
    errors: tuple[Problem, ...]


def _opaque(el: Any) -> bytes:
    try:
        return etree.tostring(el, method="c14n", exclusive=True, with_comments=False)
    except etree.C14NError as exc:  # e.g. a relative namespace URI in scope (xmlns:x="a/b")
        raise Unparsable(
            [
                Problem(
                    "xml.not_canonicalisable",
                    "报文无法规范化（C14N），例如命名空间URI不是绝对URI",
                    f"the document cannot be canonicalised (C14N): {exc}; "
                    "namespace URIs must be absolute",
                    path=f"/{etree.QName(el).localname}",
                )
            ]
        ) from None


def _fast(el: Any, comp: Any) -> Any:
    """Read a group of a schema-valid tree (parsed without comments and PIs, so every leaf is
    one text node): no checks, one dict lookup per child."""
    values: list[Any] = [None] * comp.n
    tags = comp.tags
    if comp.flat:  # only leaves, none repeatable: the common head/list case
        for child in el:
            text = child.text
            values[tags[child.tag]] = "" if text is None else text
        return comp.cls(*values)
    kinds, repeat = comp.kinds, comp.repeat
    for child in el:
        index = tags[child.tag]
        kind = kinds[index]
        if kind <= FAST:
            value = child.text
            if value is None:
                value = ""
        elif kind == GROUP:
            value = _fast(child, comp.subs[index])
        elif kind == EXTEND:
            value = _opaque(child)
        elif kind == SIGNATURE:
            value = child  # canonicalised by `_message` only when the message keeps it
        else:
            value = True
        if repeat[index]:
            found = values[index]
            if found is None:
                values[index] = [value]
            else:
                found.append(value)
        else:
            values[index] = value
    for index in comp.repeated:
        found = values[index]
        values[index] = () if found is None else tuple(found)
    return values if comp.cls is None else comp.cls(*values)


def _message(root: Any, message_type: str, *, keep_signature: bool = True) -> Message:
    spec = definition(message_type)
    values = _fast(root, compiled_root(message_type))
    fields: dict[str, Any] = {}
    for child, value in zip(spec.root.children, values, strict=True):
        if child.name == spec.business_node:
            fields["records"] = value if isinstance(value, tuple) else (value,)
        elif child.name == "BaseTransfer":
            fields["base_transfer"] = value
        elif child.name == "BaseSubscribe":
            fields["base_subscribe"] = value
        elif child.name == "ExtendMessage":
            fields["extend_message"] = value
        elif isinstance(child, SignatureDef):
            fields["signature"] = _opaque(value) if keep_signature and value is not None else None
            fields["has_signature"] = value is not None
    return Message(
        message_type=message_type, guid=root.get("guid"), version=root.get("version"), **fields
    )


def _schema_problem(error: Any, root: Any) -> Problem:
    # Only reached if the rich checker missed a rule the XSD enforces; keep libxml2's verdict.
    text = error.message if error is not None else "schema validation failed"
    return Problem(
        "format.schema",
        f"报文不能通过报文规范的 schema 校验：{text}",
        f"document fails the standard's schema: {text}",
        path="/" + etree.QName(root).localname,
        line=error.line if error is not None else None,
    )


def _record_keys(root: Any, message_type: str) -> tuple[dict[str, str], ...]:
    spec = definition(message_type)
    keys = []
    for node in root.iterchildren(f"{{{CEB_NS}}}{spec.business_node}"):
        found: dict[str, str] = {}
        # The business node's own leaves, then those of its first group (the Head).
        scopes = [node, *node.iterchildren(f"{{{CEB_NS}}}*")][:2]
        for scope in scopes:
            for name in KEY_FIELDS:
                text = scope.findtext(f"{{{CEB_NS}}}{name}")
                if text and name not in found:
                    found[name] = text
        keys.append(found)
    return tuple(keys)


def _primary(keys: dict[str, str]) -> str:
    return next((keys[name] for name in _PRIMARY_KEYS if name in keys), "")


def _with_records(
    problems: list[Problem], keys: tuple[dict[str, str], ...], node: str
) -> list[Problem]:
    out = []
    for problem in problems:
        marker = f"/{node}["
        at = problem.path.find(marker)
        if at >= 0:
            index = int(problem.path[at + len(marker) :].split("]", 1)[0]) - 1
            if 0 <= index < len(keys):
                problem = dataclasses.replace(problem, record=_primary(keys[index]))
        out.append(problem)
    return out


def decode(data: bytes, *, limits: ParseLimits = DEFAULT_LIMITS) -> Message:
    """Parse, judge the format and build typed records. Raises HostileInput, Unparsable or
    FormatInvalid (every format error, with per-record keys for receipts)."""
    return _decode_root(parse_bytes(data, limits, check_depth=False, values_only=True), limits)


_XML_DECLARATION = re.compile(rb"(\xef\xbb\xbf)?\s*<\?xml\s")


def decode_keeping_tree(
    data: bytes, *, limits: ParseLimits = DEFAULT_LIMITS
) -> tuple[Message, etree._Element | None]:
    """`decode`, and the parsed tree when it is the document's whole tree, so a signature can be
    checked without parsing again. That is when the bytes hold no comment and no processing
    instruction (the codec's parser drops those; anything that looks like one, even inside
    CDATA, takes the two-parse path and the tree comes back None). With the tree, the message's
    `signature` (its canonical bytes, for `render`) is left None; `has_signature` still says."""
    pis = data.count(b"<?")
    whole = b"<!--" not in data and (
        pis == 0 or (pis == 1 and _XML_DECLARATION.match(data) is not None)
    )
    root = parse_bytes(data, limits, check_depth=False, values_only=not whole)
    # The signature is checked on the tree; the message need not carry its canonical bytes
    # (only `render` puts them back), so that C14N is skipped when the tree comes back.
    return _decode_root(root, limits, keep_signature=not whole), (root if whole else None)


def _decode_root(
    root: etree._Element, limits: ParseLimits, *, keep_signature: bool = True
) -> Message:
    qname = etree.QName(root)
    message_type = message_type_of_root(qname.localname)
    if message_type is None or qname.namespace != CEB_NS:
        check_subtree_depth(root, 1, limits.max_depth)
        raise FormatInvalid([wrong_root(root)], message_type=message_type)
    schema = validator(message_type)
    with schema.lock:
        valid = schema.schema.validate(root)
        log: Any = schema.schema.error_log
        failure = None if valid else log.last_error
    if valid:
        # The schema bounds the depth of everything but the opaque children of the root.
        for child in root.iterchildren(_SIGNATURE_TAG, _EXTEND_TAG):
            check_subtree_depth(child, 2, limits.max_depth)
        return _message(root, message_type, keep_signature=keep_signature)
    check_subtree_depth(root, 1, limits.max_depth)
    problems = root_problems(root, message_type) or [_schema_problem(failure, root)]
    keys = _record_keys(root, message_type)
    problems = _with_records(problems, keys, definition(message_type).business_node)
    raise FormatInvalid(problems, message_type=message_type, record_keys=keys)


def check(data: bytes, *, limits: ParseLimits = DEFAULT_LIMITS) -> CheckResult:
    """Judge a document; never raises for bad input."""
    try:
        message = decode(data, limits=limits)
    except FormatInvalid as exc:
        return CheckResult(exc.message_type, False, len(exc.record_keys), tuple(exc.problems))
    except (HostileInput, Unparsable) as exc:
        return CheckResult(None, False, 0, tuple(exc.problems))
    return CheckResult(message.message_type, True, len(message.records), ())
