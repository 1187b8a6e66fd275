from __future__ import annotations

from typing import Any

import pytest

from singlewindow.declaration.codes import load_code_tables
from singlewindow.declaration.rules import check_arithmetic, check_codes, record_keys


def _order(**head: str) -> dict[str, Any]:
    base = {
        "guid": "A" * 36,
        "orderNo": "O1",
        "ebpCode": "EBP",
        "goodsValue": "200",
        "freight": "10",
        "discount": "5",
        "taxTotal": "18.2",
        "acturalPaid": "223.2",
        "currency": "142",
    }
    base.update(head)
    return {
        "OrderHead": base,
        "OrderList": [
            {
                "gnum": "1",
                "qty": "2",
                "price": "50",
                "totalPrice": "100",
                "unit": "035",
                "currency": "142",
                "country": "502",
            },
            {
                "gnum": "2",
                "qty": "1",
                "price": "100",
                "totalPrice": "100",
                "unit": "035",
                "currency": "142",
                "country": "303",
            },
        ],
    }


@pytest.mark.parametrize(
    ("record", "codes"),
    [
        pytest.param(_order(), [], id="consistent_order_case"),
        pytest.param(
            _order(acturalPaid="223.21"),
            ["arithmetic.actural_paid"],
            id="actural_paid_off_by_a_fen_case",
        ),
        pytest.param(_order(acturalPaid="223.204"), [], id="actural_paid_equal_to_the_fen_case"),
        pytest.param(
            _order(goodsValue="210", acturalPaid="233.2"),
            ["arithmetic.goods_value"],
            id="goods_value_not_sum_of_lines_case",
        ),
    ],
)
def test_order_arithmetic(record: dict[str, Any], codes: list[str]) -> None:
    problems = check_arithmetic("CEB311", record, where="/CEB311Message/Order[1]", label="O1")
    assert [p.code for p in problems] == codes


def test_line_total_names_the_line_path() -> None:
    record = _order()
    record["OrderList"][1]["totalPrice"] = "99"
    record["OrderHead"]["goodsValue"] = "199"
    record["OrderHead"]["acturalPaid"] = "222.2"
    problems = check_arithmetic("CEB311", record, where="/CEB311Message/Order[1]", label="O1")
    assert [(p.code, p.path, p.record) for p in problems] == [
        ("arithmetic.line_total", "/CEB311Message/Order[1]/OrderList[2]/totalPrice", "O1")
    ]
    assert "price 100 × qty 1" in problems[0].message_en
    assert "单价" in problems[0].message_zh


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        pytest.param("currency", "142", True, id="rmb_currency_case"),
        pytest.param("currency", "999", False, id="unknown_currency_case"),
        pytest.param("country", "502", True, id="usa_country_case"),
        pytest.param("country", "000", False, id="unknown_country_case"),
        pytest.param("unit", "035", True, id="kilogram_unit_case"),
        pytest.param("unit", "xyz", False, id="unknown_unit_case"),
        pytest.param("customsCode", "4604", True, id="zhengzhou_airport_district_case"),
        pytest.param("customsCode", "9998", False, id="unknown_district_case"),
        pytest.param("tradeMode", "9610", True, id="trade_mode_9610_case"),
        pytest.param("tradeMode", "9611", False, id="unknown_trade_mode_case"),
        pytest.param("trafMode", "5", True, id="air_transport_case"),
        pytest.param("trafMode", "Q", False, id="unknown_transport_case"),
        pytest.param("wrapType", "1", True, id="wrap_type_not_judged_case"),
    ],
)
def test_codes_against_national_tables(field: str, value: str, ok: bool) -> None:
    record = {"InventoryHead": {"guid": "G", field: value}}
    problems = check_codes(
        record, load_code_tables(), where="/CEB621Message/Inventory[1]", label="INV"
    )
    if ok:
        assert problems == []
    else:
        assert [(p.code, p.path) for p in problems] == [
            ("code.unknown", f"/CEB621Message/Inventory[1]/InventoryHead/{field}")
        ]
        assert value in problems[0].message_en and value in problems[0].message_zh


def test_record_keys_of_flat_and_headed_records() -> None:
    flat = {"guid": "G1", "logisticsCode": "L1", "logisticsNo": "N1", "appStatus": "2"}
    assert record_keys(flat).receipt_fields() == {"logisticsCode": "L1", "logisticsNo": "N1"}
    headed = _order()
    keys = record_keys(headed)
    assert (keys.guid, keys.order_no, keys.ebp_code) == ("A" * 36, "O1", "EBP")
