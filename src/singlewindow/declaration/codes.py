"""The national code tables shipped with the package (data/codes/SOURCES.md names the source)."""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

from singlewindow.declaration.rules import CodeTables

_TABLES = {
    "currency": ("currency.csv", "customs_code"),
    "country": ("country.csv", "customs_code"),
    "unit": ("unit.csv", "code"),
    "customs_district": ("customs_district.csv", "code"),
    "transport_mode": ("transport_mode.csv", "code"),
    "trade_mode": ("trade_mode.csv", "code"),
}


@functools.cache
def load_code_tables() -> CodeTables:
    folder = resources.files("singlewindow.declaration") / "data" / "codes"
    by_field: dict[str, frozenset[str]] = {}
    for name, (file, column) in _TABLES.items():
        text = (folder / file).read_text(encoding="utf-8")
        by_field[name] = frozenset(row[column] for row in csv.DictReader(io.StringIO(text)))
    return CodeTables(by_field)
