"""Hypothesis over the message border: every refusal is a coded DomainError, never a crash."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from singlewindow.message import FormatInvalid, HostileInput, Unparsable, decode

_SAMPLES = sorted((Path(__file__).parents[1] / "data" / "samples").glob("*.xml"))
_SEEDS = [p.read_bytes() for p in _SAMPLES]
_FAMILIES = ("xml.", "hostile.", "format.")
_BOUND_S = 0.2


def _decode_bounded(data: bytes) -> None:
    start = time.perf_counter()
    try:
        decode(data)
    except (HostileInput, Unparsable, FormatInvalid) as exc:
        codes = [getattr(p, "code", "") for p in exc.problems]
        assert codes, "refusal without problems"
        assert all(c.startswith(_FAMILIES) for c in codes), codes
    assert time.perf_counter() - start < _BOUND_S * 5  # generous on a loaded CI machine


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_refused_with_coded_error(data: bytes) -> None:
    _decode_bounded(data)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_SEEDS), st.integers(0, 10**6), st.binary(max_size=8), st.integers(0, 3))
def test_mutated_samples_refused_with_coded_error(
    seed: bytes, pos: int, junk: bytes, cut: int
) -> None:
    i = pos % (len(seed) + 1)
    _decode_bounded(seed[:i] + junk + seed[i + cut :])
