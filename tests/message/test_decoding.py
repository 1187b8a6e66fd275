from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree
from mutations import MUTATIONS, base_root
from samples import INVALID, VALID, sample

from singlewindow.message import FormatInvalid, Message, check, decode, record_to_json


@pytest.mark.parametrize(
    ("message_type", "records"),
    [pytest.param(t, n, id=f"{t}_case") for t, n in VALID.items()],
)
def test_valid_official_samples(message_type: str, records: int) -> None:
    result = check(sample(message_type))
    assert (result.message_type, result.valid, result.records, result.errors) == (
        message_type,
        True,
        records,
        (),
    )
    message = decode(sample(message_type))
    assert message.message_type == message_type
    assert len(message.records) == records
    assert message.guid == "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"


@pytest.mark.parametrize(
    ("message_type", "line"),
    [pytest.param("CEB303", 321, id="CEB303_case"), pytest.param("CEB603", 721, id="CEB603_case")],
)
def test_invalid_official_samples_name_the_duplicate_base_transfer(
    message_type: str, line: int
) -> None:
    result = check(sample(message_type))
    assert result.valid is False
    assert result.records == INVALID[message_type]
    assert [(e.code, e.path, e.line) for e in result.errors] == [
        ("format.too_many", f"/{message_type}Message/BaseTransfer[2]", line)
    ]
    assert "BaseTransfer" in result.errors[0].message_en
    assert "BaseTransfer" in result.errors[0].message_zh
    with pytest.raises(FormatInvalid) as caught:
        decode(sample(message_type))
    assert caught.value.message_type == message_type
    assert len(caught.value.record_keys) == 10
    assert caught.value.record_keys[0]["orderNo" if message_type == "CEB303" else "copNo"]


def test_records_are_typed_and_frozen() -> None:
    message = decode(sample("CEB311"))
    order = message.records[0]
    assert order.element_name == "Order"
    head = order.order_head
    assert head.element_name == "OrderHead"
    assert (head.order_no, head.actural_paid, head.ebp_code) == (
        "order20160321116421002",
        "19050",
        "1105910159",
    )
    assert len(order.order_list) == 2
    assert order.order_list[0].gnum == "1"
    assert order.order_list[0].note == ""
    assert message.base_transfer is not None
    assert message.base_transfer.cop_code == "1101180326"
    assert message.base_subscribe == ()
    assert message.has_signature is True
    assert message.signature is not None and message.signature.startswith(b"<ds:Signature")
    assert message.extend_message is None
    with pytest.raises(AttributeError):
        head.order_no = "changed"


def test_absent_optional_leaf_is_none() -> None:
    message = decode(sample("CEB622"))
    receipt = message.records[0]
    assert receipt.invt_no is None
    assert receipt.return_info == "暂存"
    assert message.base_transfer is None


def test_default_namespace_and_bom_are_accepted() -> None:
    assert sample("CEB311").startswith(b"\xef\xbb\xbf")
    assert decode(sample("CEB311")).message_type == "CEB311"
    assert b'xmlns="http://www.chinaport.gov.cn/ceb"' in sample("CEB622")
    assert decode(sample("CEB622")).message_type == "CEB622"


def test_comment_inside_a_leaf_is_skipped() -> None:
    data = sample("CEB622").replace(b"<copNo>cop2016", b"<copNo>cop<!-- note -->2016", 1)
    assert decode(data).records[0].cop_no == "cop2016032211000"


def test_record_to_json_mirrors_the_elements() -> None:
    message = decode(sample("CEB311"))
    as_json = record_to_json(message.records[0])
    assert list(as_json) == ["OrderHead", "OrderList"]
    assert as_json["OrderHead"]["acturalPaid"] == "19050"  # type: ignore[index]
    assert [line["gnum"] for line in as_json["OrderList"]] == ["1", "2"]  # type: ignore[index,union-attr]


@pytest.mark.parametrize(
    ("mutate", "code", "path", "record"),
    [pytest.param(m, c, p, r, id=f"{name}_case") for name, m, c, p, r in MUTATIONS],
)
def test_each_schema_rule_is_reported_with_code_path_and_record(
    mutate: Callable[[etree._Element], None], code: str, path: str, record: str
) -> None:
    root = base_root()
    mutate(root)
    result = check(etree.tostring(root))
    assert result.valid is False
    assert result.message_type == "CEB311"
    assert result.records == 6
    first = result.errors[0]
    assert (first.code, first.path, first.record) == (code, path, record)
    assert isinstance(first.line, int)
    assert first.message_zh and first.message_en


def test_every_error_is_listed() -> None:
    root = base_root()
    for name, mutate, *_ in MUTATIONS:
        if name in {"too_long", "wrong_int", "duplicated_base_transfer"}:
            mutate(root)
    with pytest.raises(FormatInvalid) as caught:
        decode(etree.tostring(root))
    assert [p.code for p in caught.value.problems] == [
        "format.not_int",
        "format.too_long",
        "format.too_many",
    ]


@pytest.mark.parametrize(
    ("data", "message_type"),
    [
        pytest.param(b"<CEB311Message guid='x' version='1'/>", "CEB311", id="no_namespace_case"),
        pytest.param(b"<a xmlns='http://www.chinaport.gov.cn/ceb'/>", None, id="unknown_case"),
        pytest.param(b"<ceb:CEB999Message xmlns:ceb='http://www.chinaport.gov.cn/ceb'/>", None,
                     id="unknown_number_case"),
    ],
)  # fmt: skip
def test_wrong_root(data: bytes, message_type: str | None) -> None:
    result = check(data)
    assert (result.message_type, result.valid, result.records) == (message_type, False, 0)
    assert [e.code for e in result.errors] == ["format.wrong_root"]


def test_decoded_message_is_a_plain_value() -> None:
    assert decode(sample("CEB511")) == decode(sample("CEB511"))
    assert isinstance(decode(sample("CEB511")), Message)
