"""The official sample messages copied into tests/data/samples (see SOURCES.md there)."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
PREFIX = "Weasley-J__chinaport-data-signature__"


def sample(message_type: str) -> bytes:
    return (SAMPLES / f"{PREFIX}{message_type}Message.xml").read_bytes()


VALID = {"CEB311": 6, "CEB411": 10, "CEB511": 6, "CEB621": 10, "CEB622": 10}
INVALID = {"CEB303": 10, "CEB603": 10}
