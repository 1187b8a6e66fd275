"""Receipts and verdicts of the clearance path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from singlewindow.message import Message


@dataclass(frozen=True, slots=True)
class ReceiptView:
    """One receipt as the API and CLI print it (`--json`): one per business record."""

    message_type: str
    message_guid: str
    guid: str
    keys: dict[str, str]
    return_status: str
    return_info: str
    reasons: tuple[str, ...] = ()
    time: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_type": self.message_type,
            "message_guid": self.message_guid,
            "guid": self.guid,
        }
        out.update(self.keys)
        out["returnStatus"] = self.return_status
        out["returnInfo"] = self.return_info
        out["reasons"] = list(self.reasons)
        return out


@dataclass(frozen=True, slots=True)
class Verdict:
    """Where an inventory goes next and why: the status, reason codes and the facts behind."""

    status: str
    reasons: tuple[str, ...] = ()
    info: str = ""
    facts: dict[str, Any] = field(default_factory=dict)


def sender_of(message: Message) -> str:
    """The sending enterprise: BaseTransfer/copCode (required by every declaration schema)."""
    transfer = message.base_transfer
    return str(transfer.cop_code) if transfer is not None else ""
