from __future__ import annotations

import json
from collections.abc import Callable
from copy import deepcopy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from mutations import MUTATIONS, base_root
from samples import INVALID, VALID, sample
from strategies import messages

from singlewindow.message import MESSAGE_TYPES, check, json_schema, render, xsd
from singlewindow.message.checking import root_problems
from singlewindow.message.schema import XMLDSIG_MINIMAL_XSD, compiled_xsd

# Values that probe the lexical and facet edges of xs:string, xs:decimal and xs:int.
_NASTY = st.sampled_from(
    ["", " ", "0", "-0", "+1", "1.", ".5", ".", "-", "00.", "1e3", " 12 ", "1 2", "0.000010",
     "12345678901234.12345", "123456789012345.1", "1.123456", "1.1234500", "000000000000000000001",
     "2147483647", "2147483648", "-2147483648", "-2147483649", "0012", "99999", "100000",
     "١٢", "\t7\n", "x" * 36, "y" * 37, "订单" * 30, "A" * 61]
)  # fmt: skip


def _judge(root: etree._Element) -> tuple[bool, bool]:
    message_type = etree.QName(root).localname.removesuffix("Message")
    by_xsd = compiled_xsd(message_type).validate(root)
    problems = root_problems(root, message_type)
    assert all(p.code != "format.schema" for p in problems)
    return by_xsd, not problems


def test_every_type_exports_a_schema_lxml_compiles() -> None:
    for message_type in MESSAGE_TYPES:
        assert f'<xs:element name="{message_type}Message">' in xsd(message_type)
        compiled_xsd(message_type)
    assert 'name="Signature"' in XMLDSIG_MINIMAL_XSD


def test_xsd_carries_the_facets() -> None:
    text = xsd("CEB621")
    assert '<xs:element ref="ds:Signature" minOccurs="1" maxOccurs="1"/>' in text
    assert '<xs:element name="Inventory" minOccurs="1" maxOccurs="100">' in text
    assert '<xs:totalDigits value="19"/>' in text
    assert '<xs:attribute name="guid" use="required">' in text


@pytest.mark.parametrize(
    "message_type", [pytest.param(t, id=f"{t}_case") for t in [*VALID, *INVALID]]
)
def test_xsd_judges_official_samples_as_check_does(message_type: str) -> None:
    data = sample(message_type)
    root = etree.fromstring(data.removeprefix(b"\xef\xbb\xbf"))
    assert _judge(root) == (message_type in VALID, message_type in VALID)
    assert check(data).valid is (message_type in VALID)


@pytest.mark.parametrize(
    "mutate", [pytest.param(m, id=f"{name}_case") for name, m, *_ in MUTATIONS]
)
def test_xsd_refuses_every_mutation_the_checker_refuses(
    mutate: Callable[[etree._Element], None],
) -> None:
    root = base_root()
    mutate(root)
    assert _judge(root) == (False, False)


def _leaves(root: etree._Element) -> list[etree._Element]:
    return [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and len(el) == 0 and el is not root
        and "xmldsig" not in el.tag and "Message" not in el.tag
    ]  # fmt: skip


@pytest.mark.parametrize(
    "message_type", [pytest.param(t, id=f"{t}_case") for t in MESSAGE_TYPES[::3]]
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_xsd_and_checker_agree_on_mutated_values(message_type: str, data: st.DataObject) -> None:
    root = etree.fromstring(render(data.draw(messages(message_type))))
    assert _judge(root) == (True, True)
    leaves = _leaves(root)
    for _ in range(data.draw(st.integers(1, 3))):
        leaf = data.draw(st.sampled_from(leaves))
        leaf.text = data.draw(_NASTY)
    by_xsd, by_checker = _judge(root)
    assert by_xsd == by_checker


@pytest.mark.parametrize(
    "message_type", [pytest.param(t, id=f"{t}_case") for t in MESSAGE_TYPES[1::3]]
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_xsd_and_checker_agree_on_mutated_structure(message_type: str, data: st.DataObject) -> None:
    root = etree.fromstring(render(data.draw(messages(message_type))))
    elements = [el for el in root.iter() if isinstance(el.tag, str) and el is not root]
    el = data.draw(st.sampled_from(elements))
    parent = el.getparent()
    assert parent is not None
    action = data.draw(st.sampled_from(["remove", "duplicate", "swap", "attribute", "text"]))
    if action == "remove":
        parent.remove(el)
    elif action == "duplicate":
        el.addnext(deepcopy(el))
    elif action == "swap" and el.getnext() is not None:
        following = el.getnext()
        assert following is not None
        following.addnext(el)
    elif action == "attribute":
        el.set("extra", "1")
    else:
        el.tail = "stray"
    by_xsd, by_checker = _judge(root)
    assert by_xsd == by_checker


def test_json_schema_describes_show_output() -> None:
    schema = json_schema("CEB701")
    assert schema["properties"]["message_type"] == {"const": "CEB701"}
    record = schema["properties"]["records"]["items"]
    assert record["required"] == ["SummaryApplyHead"]
    assert record["properties"]["SummaryApplyList"]["type"] == "array"
    flat = json_schema("CEB505")["properties"]["records"]["items"]
    assert flat["properties"]["logisticsNo"]["maxLength"] == 32
    json.dumps(schema)
