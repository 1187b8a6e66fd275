from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from samples import sample

from singlewindow.kit.errors import Problem
from singlewindow.message import check, decode, format_receipt

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=CST)


def test_format_error_receipt_is_a_valid_ceb900() -> None:
    original = sample("CEB303")
    result = check(original)
    receipt = format_receipt(
        result.errors, ori_message_type=result.message_type, original=original, now=NOW
    )
    message = decode(receipt)
    assert message.message_type == "CEB900"
    body = message.records[0]
    assert body.element_name == "MessageReturn"
    assert body.return_status == "-2"
    assert body.return_time == "20261126093015123"
    assert body.ori_message_type == "CEB303Message"
    assert body.ori_cop_msg_id == ""
    assert body.return_info == (
        "[format.too_many] /CEB303Message/BaseTransfer[2] 第321行: "
        "元素 BaseTransfer 出现第 2 次，规范最多允许 1 次"
    )
    assert body.ori_biz_message == original.decode("utf-8").removeprefix("\ufeff")
    assert body.guid == message.guid and len(message.guid) == 36
    assert b"<ceb:oriBizMessage><![CDATA[<?xml" in receipt


def test_unknown_original_and_cdata_terminator() -> None:
    original = b"<a>]]></a"
    result = check(original)
    receipt = format_receipt(
        result.errors, ori_message_type=None, original=original, now=NOW, guid="G" * 36
    )
    body = decode(receipt).records[0]
    assert (body.return_status, body.ori_message_type, body.guid) == ("-1", "Unknown", "G" * 36)
    assert body.ori_biz_message == "<a>]]></a"


def test_return_info_is_capped_at_5000_characters() -> None:
    problems = [
        Problem("format.too_long", "订单编号过长" * 20, "too long", path=f"/x[{i}]", line=i)
        for i in range(200)
    ]
    receipt = format_receipt(problems, ori_message_type="CEB311", original=b"<x/>", now=NOW)
    body = decode(receipt).records[0]
    assert len(body.return_info) == 5000
    assert body.return_info.endswith("…")


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_receipt([], ori_message_type=None, original=b"", now=datetime(2026, 1, 1))
