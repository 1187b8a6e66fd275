"""The one list of modules that define tables, so Alembic and tests see the whole schema.

Modules are imported by name: `db` sits at the bottom of the layers and must not import the
capabilities above it statically.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from singlewindow.db.base import Base

TABLE_MODULES = [
    "singlewindow.registry.tables",
    "singlewindow.auth.tables",
    "singlewindow.declaration.tables",
    "singlewindow.tax.tables",
    "singlewindow.summary.tables",
    "singlewindow.recording.tables",
    "singlewindow.statistics.tables",
    "singlewindow.audit.tables",
]


def load_metadata() -> MetaData:
    """Import every tables module of the list and return the metadata they populate."""
    for name in TABLE_MODULES:
        importlib.import_module(name)
    return Base.metadata


def registered_table_names() -> frozenset[str]:
    """Tables mapped by the listed modules (other modules may have populated Base.metadata too)."""
    load_metadata()
    names: set[str] = set()
    for mapper in Base.registry.mappers:
        if mapper.class_.__module__ in TABLE_MODULES:
            names.update(table.name for table in mapper.tables if hasattr(table, "name"))
    return frozenset(names)
