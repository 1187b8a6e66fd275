"""Sealing and checking the chain: pure functions over records (hashing is not I/O).

A record's hash is SHA-256 over a canonical JSON array of (seq, at, actor, action, subject,
details, prev_hash): keys sorted, no spaces, UTF-8, `at` in UTC with microseconds. Because each
record carries the hash of the one before it, an edited record fails its own hash, a removed one
leaves a gap in seq, and a reordered one no longer follows its predecessor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from singlewindow.audit.domain import (
    ACTION_MAX,
    ACTOR_MAX,
    GENESIS_HASH,
    SUBJECT_MAX,
    AuditEntry,
    AuditRecord,
    Break,
    VerifyResult,
)


def canonical_details(details: dict[str, Any]) -> dict[str, Any]:
    """Details as they will read back from the database's JSON column (tuples become lists,
    other values their str), so the hash sealed at append equals the hash recomputed later."""
    normal: dict[str, Any] = json.loads(_dumps(details))
    return normal


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def record_hash(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    body = _dumps([seq, stamp(at), actor, action, subject, details, prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def seal(last_seq: int, last_hash: str, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
    """Give entries the next places after (last_seq, last_hash) and chain their hashes."""
    records: list[AuditRecord] = []
    seq, prev = last_seq, last_hash
    for entry in entries:
        seq += 1
        actor = entry.actor[:ACTOR_MAX]
        action = entry.action[:ACTION_MAX]
        subject = entry.subject[:SUBJECT_MAX]
        details = canonical_details(entry.details)
        # Stored in UTC at microsecond precision: both databases give back exactly this.
        at = entry.at.astimezone(UTC)
        digest = record_hash(seq, at, actor, action, subject, details, prev)
        records.append(AuditRecord(seq, at, actor, action, subject, details, prev, digest))
        prev = digest
    return records


def check_chain(
    records: Iterable[AuditRecord], *, anchor: tuple[int, str] | None = None
) -> VerifyResult:
    """Walk the records in seq order and name the first that breaks the chain.

    Removing records from the end leaves a shorter chain that is still whole; an `anchor`
    (a seq and the hash recorded for it earlier, e.g. printed by a previous verify) catches that.
    """
    expected, prev, count = 1, GENESIS_HASH, 0
    anchored = anchor is None
    for r in records:
        if r.seq != expected:
            return _broken(
                count,
                prev,
                expected,
                Break.RECORD_MISSING,
                f"record {expected} is missing (the next stored is {r.seq})",
            )
        if r.prev_hash != prev:
            return _broken(
                count,
                prev,
                r.seq,
                Break.CHAIN_BROKEN,
                f"record {r.seq} does not follow record {r.seq - 1} (prev_hash differs)",
            )
        digest = record_hash(r.seq, r.at, r.actor, r.action, r.subject, r.details, r.prev_hash)
        if digest != r.hash:
            return _broken(
                count,
                prev,
                r.seq,
                Break.HASH_MISMATCH,
                f"record {r.seq} was changed after it was written (hash differs)",
            )
        if anchor is not None and r.seq == anchor[0]:
            if r.hash != anchor[1]:
                return _broken(
                    count,
                    prev,
                    r.seq,
                    Break.HASH_MISMATCH,
                    f"record {r.seq} is not the record anchored (hash differs from the anchor)",
                )
            anchored = True
        prev, expected, count = r.hash, expected + 1, count + 1
    if not anchored:
        assert anchor is not None
        return _broken(
            count,
            prev,
            expected,
            Break.TRUNCATED,
            f"the log ends at record {expected - 1} but record {anchor[0]} was anchored",
        )
    return VerifyResult(intact=True, records=count, head_hash=prev)


def _broken(count: int, head: str, seq: int, reason: Break, detail: str) -> VerifyResult:
    return VerifyResult(
        intact=False,
        records=count,
        head_hash=head,
        first_broken_seq=seq,
        reason=reason,
        detail=detail,
    )
