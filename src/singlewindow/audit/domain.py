"""Audit entries, sealed records and the verdict of a chain check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

# The prev_hash of record 1: nothing came before it.
GENESIS_HASH = "0" * 64

# Column widths of `audit_log`; longer values are clipped before sealing, so the hash covers
# exactly what is stored.
ACTOR_MAX = 100
ACTION_MAX = 64
SUBJECT_MAX = 200


class Action(StrEnum):
    """Actions the platform audits. Callers may use other dotted names; these are the known."""

    INVENTORY_TRANSITION = "inventory.transition"
    PERSONAL_DATA_READ = "personal_data.read"
    REGISTRY_IMPORT = "registry.import"
    USER_ADD = "user.add"
    SUMMARY_RUN = "summary.run"


class Break(StrEnum):
    """Why a chain check failed, as stable codes."""

    RECORD_MISSING = "audit.record_missing"
    CHAIN_BROKEN = "audit.chain_broken"
    HASH_MISMATCH = "audit.hash_mismatch"
    TRUNCATED = "audit.truncated"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """Something that happened, before it is given a place in the chain."""

    actor: str
    action: str
    subject: str
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("an audit entry needs an aware datetime")


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One stored row of the chain: the entry, its place (seq) and the two hashes."""

    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """`intact`, or the first record that breaks the chain and why."""

    intact: bool
    records: int
    head_hash: str
    first_broken_seq: int | None = None
    reason: Break | None = None
    detail: str = ""
