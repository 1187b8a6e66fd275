"""Nothing in the application changes or removes an audit record: a scan of the source.

The database refuses it too (triggers of migration 0005, tested in test_service.py); this scan
keeps the code from even trying, e.g. a cleanup job written later.
"""

from __future__ import annotations

import re
from pathlib import Path

import singlewindow

SRC = Path(singlewindow.__file__).parent
CHANGES = re.compile(
    r"\b(update|delete)\s*\(\s*AuditRow\b"
    r"|\bUPDATE\s+audit_log\b|\bDELETE\s+FROM\s+audit_log\b|\bTRUNCATE\s+(TABLE\s+)?audit_log\b"
    r"|\bsession\.delete\(",
    re.IGNORECASE,
)


def _sources() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def test_no_source_updates_or_deletes_audit_records() -> None:
    hits = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in _sources()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CHANGES.search(line) and ("audit" in line.lower() or path.parent.name == "audit")
    ]
    assert hits == []


def test_only_the_audit_package_touches_its_table() -> None:
    outside = [
        str(path.relative_to(SRC))
        for path in _sources()
        if path.parent.name != "audit"
        and re.search(r"\bAuditRow\b|\baudit_log\b", path.read_text(encoding="utf-8"))
    ]
    assert outside == []


def test_the_scan_finds_what_it_looks_for() -> None:
    samples = [
        "session.execute(update(AuditRow).values(actor='x'))",
        "connection.execute(text('DELETE FROM audit_log WHERE seq = 1'))",
        "TRUNCATE TABLE audit_log",
    ]
    assert [bool(CHANGES.search(s)) for s in samples] == [True, True, True]
    assert CHANGES.search("session.execute(insert(AuditRow), rows)") is None
