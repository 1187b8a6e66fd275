"""The border for the customs CEB standard: definitions, hardened decode/check, render, schemas.

Public API (others code against exactly this):
`decode`, `check`, `render`, `record_to_json`, `xsd`, `json_schema`, `format_receipt`,
`MESSAGE_TYPES`, `definition`, `is_import`, `business_node`, and the types `Message`, `Record`,
`CheckResult`, `FormatInvalid`, `HostileInput`, `Unparsable`, `ParseLimits`.
"""

from __future__ import annotations

from singlewindow.message.decoding import CheckResult, FormatInvalid, check, decode
from singlewindow.message.definitions import (
    MESSAGE_TYPES,
    MessageDef,
    business_node,
    definition,
    is_import,
)
from singlewindow.message.receipt import format_receipt
from singlewindow.message.records import Message, Record, record_to_json
from singlewindow.message.rendering import render
from singlewindow.message.schema import json_schema, xsd
from singlewindow.message.xmlsafe import HostileInput, ParseLimits, Unparsable

__all__ = [
    "MESSAGE_TYPES",
    "CheckResult",
    "FormatInvalid",
    "HostileInput",
    "Message",
    "MessageDef",
    "ParseLimits",
    "Record",
    "Unparsable",
    "business_node",
    "check",
    "decode",
    "definition",
    "format_receipt",
    "is_import",
    "json_schema",
    "record_to_json",
    "render",
    "xsd",
]
