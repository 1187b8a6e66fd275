from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker
from summary_fixtures import SELLER, file_zone, goods, insert_inventory, inventory_record
from typer.testing import CliRunner

from singlewindow.db.session import unit_of_work
from singlewindow.kit.clock import CST
from singlewindow.summary.cli import app


def test_run_then_show(database_url: str, session_factory: sessionmaker[Session]) -> None:
    file_zone(session_factory)
    with unit_of_work(session_factory) as s:
        for n, country in ((1, "502"), (2, "502"), (3, "304")):
            insert_inventory(
                s,
                inventory_record(f"46042026E00000000{n}", lines=[goods(1, country=country)]),
                closed_at=datetime(2026, 10, 31, 23, 0, tzinfo=CST),
            )
        insert_inventory(
            s,
            inventory_record("46042026E000000009"),
            closed_at=datetime(2026, 11, 1, 0, 0, tzinfo=CST),
        )
    env = {"SINGLEWINDOW_DATABASE_URL": database_url}
    runner = CliRunner()
    ran = runner.invoke(app, ["run", "--ebc", SELLER, "--month", "2026-10", "--json"], env=env)
    assert ran.exit_code == 0, ran.output
    receipt = json.loads(ran.output)
    assert (receipt["returnStatus"], receipt["inventories"], receipt["declarations"]) == (
        "399",
        3,
        1,
    )
    shown = runner.invoke(app, ["show", receipt["sumNo"], "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.output)
    assert view["month"] == "2026-10"
    assert [(x["country"], x["qty"]) for x in view["declarations"][0]["lines"]] == [
        ("304", "1"),
        ("502", "2"),
    ]
    again = runner.invoke(app, ["run", "--ebc", SELLER, "--month", "2026-10"], env=env)
    assert again.exit_code == 1
    assert "0 inventories, 0 declarations" in again.output
    bad = runner.invoke(app, ["run", "--ebc", SELLER, "--month", "2026-13"], env=env)
    assert (bad.exit_code, "summary.month_invalid" in bad.output) == (1, True)
