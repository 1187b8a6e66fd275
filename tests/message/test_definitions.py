from __future__ import annotations

import pytest

from singlewindow.message import MESSAGE_TYPES, business_node, definition, is_import
from singlewindow.message.definitions import (
    AnyDef,
    GroupDef,
    LeafDef,
    LeafType,
    SignatureDef,
    snake_case,
)


def test_all_42_types_load_in_number_order() -> None:
    assert len(MESSAGE_TYPES) == 42
    assert MESSAGE_TYPES[0] == "CEB213"
    assert MESSAGE_TYPES[-1] == "CEB900"
    assert "CEB311" in MESSAGE_TYPES and "CEB792" in MESSAGE_TYPES
    for message_type in MESSAGE_TYPES:
        spec = definition(message_type)
        assert spec.root.name == f"{message_type}Message"
        assert [a.name for a in spec.attributes] == ["guid", "version"]


@pytest.mark.parametrize(
    ("message_type", "node", "importing"),
    [
        pytest.param("CEB311", "Order", True, id="import_order_case"),
        pytest.param("CEB411", "Payment", True, id="payment_case"),
        pytest.param("CEB511", "Logistics", True, id="import_waybill_case"),
        pytest.param("CEB621", "Inventory", True, id="import_inventory_case"),
        pytest.param("CEB622", "InventoryReturn", True, id="import_receipt_case"),
        pytest.param("CEB900", "MessageReturn", True, id="format_receipt_case"),
        pytest.param("CEB303", "Order", False, id="export_order_case"),
        pytest.param("CEB505", "Logistics", False, id="export_waybill_case"),
        pytest.param("CEB701", "SummaryApply", False, id="summary_case"),
        pytest.param("CEB792", "SummaryResult", False, id="summary_result_case"),
    ],
)
def test_business_node_and_direction(message_type: str, node: str, importing: bool) -> None:
    assert business_node(message_type) == node
    assert is_import(message_type) is importing
    assert definition(f"{message_type}Message").business_node == node


def test_signature_and_extend_order_comes_from_the_tables() -> None:
    for message_type in MESSAGE_TYPES:
        names = [c.name for c in definition(message_type).root.children]
        if "Signature" not in names:
            continue
        extend_first = names.index("ExtendMessage") < names.index("Signature")
        # XSD-I puts ExtendMessage before ds:Signature, XSD-E after it (SPEC §1.3).
        assert extend_first is is_import(message_type), message_type


def test_import_inventory_shape() -> None:
    spec = definition("CEB621")
    root = {c.name: c for c in spec.root.children}
    assert isinstance(root["Signature"], SignatureDef)
    assert (root["Signature"].min_occurs, root["Signature"].max_occurs) == (1, 1)
    inventory = root["Inventory"]
    assert isinstance(inventory, GroupDef)
    assert (inventory.min_occurs, inventory.max_occurs) == (1, 100)
    assert [c.name for c in inventory.children] == ["InventoryHead", "InventoryList"]
    extend = root["ExtendMessage"]
    assert isinstance(extend, GroupDef)
    assert isinstance(extend.children[2], AnyDef)


def test_leaf_facets() -> None:
    head = definition("CEB311").business.children[0]
    assert isinstance(head, GroupDef)
    leaves = {c.name: c for c in head.children if isinstance(c, LeafDef)}
    paid = leaves["acturalPaid"]
    assert paid.type is LeafType.DECIMAL
    assert (paid.facets.total_digits, paid.facets.fraction_digits) == (19, 5)
    order_no = leaves["orderNo"]
    assert (order_no.facets.min_length, order_no.facets.max_length) == (1, 60)
    assert leaves["guid"].facets.length == 36
    assert leaves["payCode"].min_occurs == 0
    assert order_no.label == "交易平台的订单编号"


def test_unknown_type_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        definition("CEB999")


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        pytest.param("acturalPaid", "actural_paid", id="typo_kept_case"),
        pytest.param("ebpCode", "ebp_code", id="camel_case"),
        pytest.param("InventoryHead", "inventory_head", id="group_case"),
        pytest.param("POD", "pod", id="acronym_case"),
        pytest.param("TaxHeadRd", "tax_head_rd", id="tail_word_case"),
        pytest.param("oriCopMsgId", "ori_cop_msg_id", id="many_words_case"),
    ],
)
def test_snake_case(name: str, snake: str) -> None:
    assert snake_case(name) == snake
