"""Sealing and checking the chain as pure functions, including Hypothesis over any tampering."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from singlewindow.audit import rules
from singlewindow.audit.domain import GENESIS_HASH, AuditEntry, AuditRecord, Break
from singlewindow.kit.clock import CST

AT = datetime(2026, 5, 11, 9, 30, tzinfo=CST)


def _chain(n: int) -> list[AuditRecord]:
    entries = [
        AuditEntry(
            f"user:{i}",
            "inventory.transition",
            f"inv:{i}",
            AT + timedelta(seconds=i),
            {"to": "800", "reasons": ("a", "b")},
        )
        for i in range(n)
    ]
    return rules.seal(0, GENESIS_HASH, entries)


def test_seal_normalises_what_the_database_gives_back() -> None:
    (record,) = _chain(1)
    assert record.details == {"to": "800", "reasons": ["a", "b"]}
    assert record.at == AT and record.at.tzinfo is UTC
    assert rules.stamp(record.at) == "2026-05-11T01:30:00.000000+00:00"
    assert record.hash == rules.record_hash(
        1, AT, "user:0", "inventory.transition", "inv:0", record.details, GENESIS_HASH
    )


def test_seal_clips_to_the_column_widths() -> None:
    entry = AuditEntry("a" * 300, "b" * 300, "c" * 300, AT)
    (record,) = rules.seal(41, "f" * 64, [entry])
    assert (record.seq, len(record.actor), len(record.action), len(record.subject)) == (
        42,
        100,
        64,
        200,
    )
    assert record.prev_hash == "f" * 64


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        AuditEntry("a", "b", "c", datetime(2026, 5, 11))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("actor", "mallory", id="actor_case"),
        pytest.param("action", "nothing.happened", id="action_case"),
        pytest.param("subject", "inv:other", id="subject_case"),
        pytest.param("details", {"to": "100"}, id="details_case"),
        pytest.param("at", AT - timedelta(days=1), id="at_case"),
    ],
)
def test_any_edited_field_breaks_that_record(field: str, value: object) -> None:
    chain = _chain(5)
    chain[2] = dataclasses.replace(chain[2], **{field: value})
    result = rules.check_chain(chain)
    assert (result.intact, result.first_broken_seq, result.reason, result.records) == (
        False,
        3,
        Break.HASH_MISMATCH,
        2,
    )


@given(st.integers(min_value=2, max_value=12), st.data())
def test_removing_or_swapping_any_record_is_found(n: int, data: st.DataObject) -> None:
    chain = _chain(n)
    i = data.draw(st.integers(min_value=0, max_value=n - 2))
    removed = chain[:i] + chain[i + 1 :]
    swapped = [
        *chain[:i],
        dataclasses.replace(chain[i + 1], seq=i + 1),
        dataclasses.replace(chain[i], seq=i + 2),
        *chain[i + 2 :],
    ]
    gone = rules.check_chain(removed)
    moved = rules.check_chain(swapped)
    assert (gone.intact, gone.first_broken_seq, gone.reason) == (False, i + 1, Break.RECORD_MISSING)
    assert (moved.intact, moved.first_broken_seq) == (False, i + 1)
    assert rules.check_chain(chain).intact is True
