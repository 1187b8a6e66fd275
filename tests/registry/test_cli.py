from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from singlewindow.registry.cli import app
from singlewindow.registry.tables import EnterpriseRow, PersonRow

SELLER = "91411000MA9XC7Q2X8"


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def _counts(factory: sessionmaker[Session]) -> tuple[int, int]:
    with factory() as session:
        return (
            session.scalar(select(func.count()).select_from(EnterpriseRow)) or 0,
            session.scalar(select(func.count()).select_from(PersonRow)) or 0,
        )


def test_import_prints_counts(
    tmp_path: Path, database_url: str, session_factory: sessionmaker[Session]
) -> None:
    file = _write(
        tmp_path / "zone.jsonl",
        [
            {"kind": "enterprise", "code": SELLER, "name": "许昌发制品", "roles": ["ebc"]},
            {"kind": "person", "id_type": "1", "id_number": "34052419800101001X", "name": "张三"},
        ],
    )
    result = CliRunner().invoke(
        app, ["import", str(file)], env={"SINGLEWINDOW_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    assert result.output == "filed 1 enterprises (0 certificates), 0 commodities, 1 persons\n"
    assert _counts(session_factory) == (1, 1)


def test_import_reports_every_bad_line_and_stores_nothing(
    tmp_path: Path, database_url: str, session_factory: sessionmaker[Session]
) -> None:
    file = _write(
        tmp_path / "bad.jsonl",
        [
            {"kind": "enterprise", "code": SELLER, "name": "许昌发制品", "roles": ["ebc"]},
            {"kind": "person", "id_type": "1", "id_number": "340524198001010013", "name": "李四"},
            {"kind": "enterprise", "code": "91110108551385082F", "name": "乙", "roles": ["ebp"]},
        ],
    )
    result = CliRunner().invoke(
        app, ["import", str(file)], env={"SINGLEWINDOW_DATABASE_URL": database_url}
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{file}:2 id_number registry.id_check_digit 身份证号码校验码错误（GB 11643）"
        " / the resident ID number fails its check character (GB 11643)",
        f"{file}:3 code registry.uscc_check_digit 统一社会信用代码校验码错误（GB 32100）"
        " / the unified social credit code fails its check character (GB 32100)",
    ]
    assert _counts(session_factory) == (0, 0)


def test_import_makes_the_sqlite_schema_itself(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    file = _write(
        tmp_path / "one.jsonl",
        [{"kind": "enterprise", "code": SELLER, "name": "许昌发制品", "roles": ["ebc"]}],
    )
    result = CliRunner().invoke(app, ["import", str(file)], env={"SINGLEWINDOW_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fresh.db").exists()
