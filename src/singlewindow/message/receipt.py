"""CEB900 format-check receipts (报文格式校验回执, SPEC §3.2, XSD-I `MessageReturn`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime

from lxml import etree

from singlewindow.kit.errors import Problem
from singlewindow.message.definitions import CEB_NS
from singlewindow.message.xmlsafe import DEFAULT_MAX_BYTES

# Negative returnStatus = format error (SPEC §3.1). The two values mirror the DXP codes of
# SPEC §3.3: 0001 报文格式错误 (not XML / refused as hostile) and 0002 不能通过schema验证.
STATUS_NOT_XML = "-1"
STATUS_SCHEMA = "-2"
RETURN_INFO_MAX = 5000
_ORI_TYPE_MAX = 15
# Characters XML 1.0 cannot carry, even in CDATA.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _return_info(problems: Sequence[Problem]) -> str:
    parts = []
    for problem in problems:
        where = f"{problem.path}" + (f" 第{problem.line}行" if problem.line else "")
        parts.append(f"[{problem.code}] {where}: {problem.message_zh}")
    text = "；".join(parts) or "报文格式校验失败"
    if len(text) > RETURN_INFO_MAX:
        text = text[: RETURN_INFO_MAX - 1] + "…"
    return text


def _original_text(original: bytes) -> str:
    text = original[:DEFAULT_MAX_BYTES].decode("utf-8", errors="replace").removeprefix("\ufeff")
    return _NOT_XML.sub("\ufffd", text)


def _cdata(text: str) -> str:
    # "]]>" cannot occur inside one CDATA section: it is split across two.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def format_receipt(
    problems: Sequence[Problem],
    *,
    ori_message_type: str | None,
    original: bytes,
    now: datetime,
    ori_cop_msg_id: str = "",
    guid: str | None = None,
) -> bytes:
    """A CEB900 receipt refusing `original` for `problems` (format, hostile or unparsable).

    `ori_message_type` is "CEB311" or "CEB311Message" (None → "Unknown"); `now` must be aware
    and is written as the 17-digit returnTime; `ori_cop_msg_id` is the DxpMsg CopMsgId if known.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    schema_error = any(p.code.startswith("format.") for p in problems)
    status = STATUS_SCHEMA if schema_error else STATUS_NOT_XML
    ori_type = "Unknown"
    if ori_message_type:
        ori_type = ori_message_type.removesuffix("Message") + "Message"
        ori_type = ori_type if len(ori_type) <= _ORI_TYPE_MAX else "Unknown"
    receipt_guid = guid or str(uuid.uuid4()).upper()
    stamp = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"

    root = etree.Element(f"{{{CEB_NS}}}CEB900Message", nsmap={"ceb": CEB_NS})
    root.set("guid", receipt_guid)
    root.set("version", "1.0")
    body = etree.SubElement(root, f"{{{CEB_NS}}}MessageReturn")
    for name, value in (
        ("guid", receipt_guid),
        ("returnStatus", status),
        ("returnInfo", _return_info(problems)),
        ("returnTime", stamp),
        ("oriCopMsgId", ori_cop_msg_id[:255]),
        ("oriMessageType", ori_type),
    ):
        etree.SubElement(body, f"{{{CEB_NS}}}{name}").text = value
    etree.SubElement(body, f"{{{CEB_NS}}}oriBizMessage").text = "-"
    etree.indent(root, space="\t")
    xml = etree.tostring(root, encoding="UTF-8").decode("utf-8")
    cdata = _cdata(_original_text(original))
    # Every other value is escaped text, so this exact element markup occurs once.
    placeholder = "<ceb:oriBizMessage>-</ceb:oriBizMessage>"
    xml = xml.replace(placeholder, f"<ceb:oriBizMessage>{cdata}</ceb:oriBizMessage>")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + xml.encode("utf-8")
