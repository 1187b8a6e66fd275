"""A tiny checker of CEB XML against the XSD facets in `data/fields`, as the fixture
`schema_errors` (the suite imports test modules with importlib, so helpers live here).

It judges what the XSD judges for these ten types: element order and occurrence, unknown
elements, string lengths, decimal and int lexical forms with their digits, the root attributes.
The `ds:Signature` element is accepted at its place without looking inside.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CEB = "{http://www.chinaport.gov.cn/ceb}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
FIELDS = Path(__file__).parent / "data" / "fields"
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_INT = re.compile(r"^[+-]?\d+$")


@dataclass
class Node:
    name: str
    kind: str
    low: int
    high: int  # -1 = unbounded
    type: str = ""
    facets: dict[str, int] = field(default_factory=dict)
    enumeration: tuple[str, ...] = ()
    children: list[Node] = field(default_factory=list)


def _occurs(text: str) -> tuple[int, int]:
    if text in ("required", "optional"):
        return (1 if text == "required" else 0), 1
    low, high = text.split("..")
    return int(low), -1 if high == "unbounded" else int(high)


def load(message_type: str) -> tuple[Node, list[Node]]:
    """The root node and its attribute nodes."""
    nodes: dict[str, Node] = {}
    attributes: list[Node] = []
    root: Node | None = None
    with (FIELDS / f"{message_type}.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            low, high = _occurs(row["occurs"])
            facets = {
                k: int(v)
                for k, v in (p.split("=") for p in row["facets"].split())
                if k != "whiteSpace"
            }
            enum = tuple(row["enumeration"].split("|")) if row["enumeration"] else ()
            node = Node(row["element"], row["kind"], low, high, row["type"], facets, enum)
            path = row["path"]
            parent = path.rsplit("/", 1)[0]
            if node.kind == "attribute":
                attributes.append(node)
            elif parent == "":
                root = node
            else:
                nodes[parent].children.append(node)
            nodes[path] = node
    assert root is not None
    return root, attributes


def _tag(node: Node) -> str:
    return f"{DS}Signature" if node.kind == "external" else f"{CEB}{node.name}"


def _leaf(node: Node, text: str, path: str) -> list[str]:
    errors = []
    f = node.facets
    if node.type == "string":
        n = len(text)
        if "length" in f and n != f["length"]:
            errors.append(f"{path}: length {n} != {f['length']}")
        if n > f.get("maxLength", n) or n < f.get("minLength", 0):
            errors.append(f"{path}: length {n} outside {f}")
    elif node.type == "decimal":
        if not _DECIMAL.match(text):
            return [f"{path}: not a decimal: {text!r}"]
        whole, _, frac = text.lstrip("+-").partition(".")
        if len(frac.rstrip("0")) > f.get("fractionDigits", 99):
            errors.append(f"{path}: too many fraction digits: {text}")
        if len(whole.lstrip("0")) + len(frac.rstrip("0")) > f.get("totalDigits", 99):
            errors.append(f"{path}: too many digits: {text}")
    elif node.type == "int":
        if not _INT.match(text) or not -(2**31) <= int(text) < 2**31:
            return [f"{path}: not an xs:int: {text!r}"]
        if len(text.lstrip("+-0")) > f.get("totalDigits", 99):
            errors.append(f"{path}: too many digits: {text}")
    if node.enumeration and text not in node.enumeration:
        errors.append(f"{path}: {text!r} not in {node.enumeration}")
    return errors


def _group(node: Node, element: ET.Element, path: str) -> list[str]:
    errors: list[str] = []
    children = list(element)
    i = 0
    for spec in node.children:
        count = 0
        while i < len(children) and children[i].tag == _tag(spec):
            child = children[i]
            child_path = f"{path}/{spec.name}[{count + 1}]"
            if spec.kind == "group":
                errors += _group(spec, child, child_path)
            elif spec.kind == "leaf":
                if len(child):
                    errors.append(f"{child_path}: a leaf with children")
                errors += _leaf(spec, child.text or "", child_path)
            count += 1
            i += 1
        if count < spec.low:
            errors.append(f"{path}/{spec.name}: missing ({count} < {spec.low})")
        if spec.high != -1 and count > spec.high:
            errors.append(f"{path}/{spec.name}: too many ({count} > {spec.high})")
    for child in children[i:]:
        errors.append(f"{path}: unexpected or out-of-order element {child.tag}")
    return errors


def check_schema(data: bytes) -> list[str]:
    root_el = ET.fromstring(data)
    name = root_el.tag.removeprefix(CEB)
    if not re.fullmatch(r"CEB\d{3}Message", name):
        return [f"unknown root {root_el.tag}"]
    root, attributes = load(name.removesuffix("Message"))
    errors = []
    for attr in attributes:
        value = root_el.get(attr.name.lstrip("@"))
        if value is None:
            errors.append(f"attribute {attr.name} missing")
        else:
            errors += _leaf(attr, value, attr.name)
    return errors + _group(root, root_el, f"/{name}")


@pytest.fixture(scope="session")
def schema_errors() -> Callable[[bytes], list[str]]:
    return check_schema
