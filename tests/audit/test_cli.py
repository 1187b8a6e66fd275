"""`singlewindow audit verify` exit codes and `audit show` output."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from singlewindow.audit import service
from singlewindow.cli.main import app
from singlewindow.db.session import unit_of_work
from singlewindow.kit.clock import FixedClock


def _fill(factory: sessionmaker[Session], clock: FixedClock, n: int) -> None:
    with unit_of_work(factory) as session:
        for i in range(1, n + 1):
            service.append(
                session,
                actor="user:7",
                action="user.add",
                subject=f"user:{i}",
                details={"role": "customs"},
                at=clock() + timedelta(seconds=i),
            )


def _invoke(database_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["audit", *args], env={"SINGLEWINDOW_DATABASE_URL": database_url}
    )
    return result.exit_code, result.output


def test_verify_exits_0_when_intact(
    database_url: str, session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    _fill(session_factory, clock, 3)
    with session_factory() as session:
        head = service.verify(session).head_hash
    code, output = _invoke(database_url, "verify")
    assert (code, output) == (0, f"audit log intact: 3 records, head 3:{head}\n")
    assert _invoke(database_url, "verify", "--anchor", f"3:{head}")[0] == 0


def test_verify_exits_1_naming_the_first_broken_record(
    database_url: str, session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    _fill(session_factory, clock, 4)
    with unit_of_work(session_factory) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            session.execute(text("DROP TRIGGER audit_log_no_delete"))
        session.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    code, output = _invoke(database_url, "verify")
    assert (code, output) == (
        1,
        "audit log broken at record 2: audit.record_missing — "
        "record 2 is missing (the next stored is 3)\n",
    )


def test_verify_refuses_a_malformed_anchor(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    code, output = _invoke(database_url, "verify", "--anchor", "3:abc")
    assert code == 2
    assert "SEQ:HASH" in output


def test_show_prints_the_latest_oldest_first(
    database_url: str, session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    _fill(session_factory, clock, 5)
    code, output = _invoke(database_url, "show", "--limit", "2")
    lines = [json.loads(line) for line in output.splitlines()]
    assert code == 0
    assert [(x["seq"], x["subject"], x["at"]) for x in lines] == [
        (4, "user:4", "2026-05-11T01:30:04.000000+00:00"),
        (5, "user:5", "2026-05-11T01:30:05.000000+00:00"),
    ]
    assert lines[1]["prev_hash"] == lines[0]["hash"]
