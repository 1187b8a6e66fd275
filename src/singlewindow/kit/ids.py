"""Identifiers in the standard's shapes."""

from __future__ import annotations

import uuid


def new_guid() -> str:
    """A 36-character upper-case GUID, as the standard's `guid` fields require."""
    return str(uuid.uuid4()).upper()
