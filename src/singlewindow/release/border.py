"""The border of the clearance path: a message decoded, its signature checked, its sender
judged, and the receipts of a message refused as a whole. No database is touched here."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from singlewindow.declaration.domain import DECLARATION_TYPES, RecordKeys, ReturnStatus
from singlewindow.declaration.rules import record_keys
from singlewindow.kit.errors import DomainError, Problem
from singlewindow.message import FormatInvalid, Message, record_to_json
from singlewindow.message.decoding import decode_keeping_tree
from singlewindow.message.signing import (
    Verification,
    certificate_fingerprint,
    verify_document,
    verify_tree,
)
from singlewindow.message.xmlsafe import HostileInput, Unparsable
from singlewindow.release.domain import ReceiptView, sender_of

S = ReturnStatus


@dataclass
class Decoded:
    data: bytes
    sha256: str
    message: Message | None
    refusal: DomainError | None
    record_keys: list[dict[str, str]]
    bodies: list[dict[str, Any]] = field(default_factory=list)
    keys: list[RecordKeys] = field(default_factory=list)
    verification: Verification | None = None
    # Per record: its codes and arithmetic judged (filled by the service's `decode_batch`).
    problems: list[list[Problem]] = field(default_factory=list)


def decode_message(data: bytes) -> Decoded:
    sha = hashlib.sha256(data).hexdigest()
    try:
        message, tree = decode_keeping_tree(data)
    except FormatInvalid as exc:
        return Decoded(data, sha, None, exc, list(exc.record_keys))
    except (HostileInput, Unparsable) as exc:
        return Decoded(data, sha, None, exc, [])
    bodies = [record_to_json(r) for r in message.records]
    # Signatures are checked here, before any lock is taken: it needs no database.
    verification = None
    if message.has_signature:
        verification = verify_tree(tree) if tree is not None else verify_document(data)
    return Decoded(
        data, sha, message, None, [], bodies, [record_keys(b) for b in bodies], verification
    )


def guid_reused(guid: str) -> DomainError:
    return problem(
        "message.guid_reused",
        f"报文编号 {guid} 已被另一份内容不同的报文使用",
        f"message guid {guid} was used before by other content",
    )


def problem(code: str, zh: str, en: str) -> DomainError:
    return DomainError([Problem(code, zh, en)])


def refuse_whole(item: Decoded, refusal: DomainError, now: datetime) -> list[ReceiptView]:
    """A message refused as a whole: one receipt per record it holds (one if none can be read);
    nothing is stored."""
    msg = item.message
    mt = msg.message_type if msg is not None else (getattr(refusal, "message_type", None) or "")
    guid = msg.guid if msg is not None else ""
    reasons = tuple(dict.fromkeys(p.code for p in refusal.problems))
    info = "; ".join(f"{p.path} {p.message_zh} / {p.message_en}".strip() for p in refusal.problems)
    if msg is not None:
        per_record = [(k.guid, k.receipt_fields()) for k in item.keys]
    elif item.record_keys:
        per_record = [
            (k.get("guid", ""), {n: v for n, v in k.items() if n != "guid"})
            for k in item.record_keys
        ]
    else:
        per_record = [("", {})]
    stamp = now.strftime("%Y%m%d%H%M%S%f")[:17]
    return [
        ReceiptView(mt, guid, rguid, keys, S.REFUSED, info[:1000], reasons, stamp)
        for rguid, keys in per_record
    ]


def judge_sender(
    msg: Message,
    data: bytes,
    enterprises: Mapping[str, Any],
    submitter: str | None,
    *,
    app_statuses: Sequence[str] | None = None,
    verification: Verification | None = None,
) -> DomainError | None:
    """The sender's checks: a declaration type, the API key's own copCode, filed, a role that may
    send the type, and a valid signature with a certificate filed for it (required when any record
    declares, appStatus 2)."""
    cop = sender_of(msg)
    dt = DECLARATION_TYPES.get(msg.message_type)
    if dt is None:
        return problem(
            "sender.not_a_declaration",
            f"{msg.message_type} 不是企业向平台申报的报文类型",
            f"{msg.message_type} is not a message type enterprises declare to the platform",
        )
    if submitter is not None and submitter != cop:
        return problem(
            "sender.not_key_holder",
            f"传输企业 copCode {cop} 与 API 密钥所属企业 {submitter} 不一致",
            f"BaseTransfer/copCode {cop} is not the enterprise of the API key ({submitter})",
        )
    enterprise = enterprises.get(cop)
    if enterprise is None:
        return problem(
            "sender.not_filed",
            f"传输企业 {cop} 未在平台备案",
            f"sender {cop} (BaseTransfer/copCode) is not filed on the platform",
        )
    roles = {str(r) for r in enterprise.roles}
    if not roles & dt.sender_roles:
        need = "/".join(sorted(dt.sender_roles))
        return problem(
            "sender.role_missing",
            f"传输企业 {cop} 未备案 {need} 角色，不能发送 {msg.message_type}",
            f"sender {cop} is not filed with a role that may send {msg.message_type} ({need})",
        )
    if app_statuses is None:
        app_statuses = [record_keys(record_to_json(r)).app_status for r in msg.records]
    declared = "2" in app_statuses
    if msg.has_signature:
        result = verification if verification is not None else verify_document(data)
        if not result.valid:
            return problem(
                result.reason_code,
                f"报文签名验证失败：{result.reason_zh}",
                f"the message's signature does not verify: {result.reason_en}",
            )
        assert result.cert_der is not None
        if certificate_fingerprint(result.cert_der) not in enterprise.certificate_fingerprints:
            return problem(
                "sender.certificate_not_filed",
                f"签名证书未在平台为企业 {cop} 备案",
                f"the signing certificate is not filed for {cop}",
            )
    elif declared:
        return problem(
            "sender.signature_required",
            "appStatus 为 2（申报）的报文必须签名",
            "a message with appStatus 2 (declare) must be signed",
        )
    return None
