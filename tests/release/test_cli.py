"""The clearance commands on a local SQLite database: `submit`, `inventory show`, `sweep`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.release.builders import Parcel, import_docs
from tests.release.harness import NEVER, Keys, Platform, file_zone
from typer.testing import CliRunner

from singlewindow.cli.main import app
from singlewindow.db.session import make_sessionmaker
from singlewindow.declaration.codes import load_code_tables
from singlewindow.kit.clock import FixedClock
from singlewindow.message import check
from singlewindow.release.context import ClearanceContext
from singlewindow.release.runtime import open_database
from singlewindow.tax.rules import load_default_rates

RECEIPT_KEYS_311 = [
    "message_type",
    "message_guid",
    "guid",
    "orderNo",
    "ebpCode",
    "ebcCode",
    "payCode",
    "payTransactionId",
    "returnStatus",
    "returnInfo",
    "reasons",
]
INVENTORY_KEYS = [
    "invtNo",
    "orderNo",
    "ebpCode",
    "ebcCode",
    "agentCode",
    "logisticsCode",
    "logisticsNo",
    "ieFlag",
    "tradeMode",
    "buyerIdNumber",
    "returnStatus",
    "history",
    "tax",
]


@pytest.fixture
def local(tmp_path: Path, keys: Keys, monkeypatch: pytest.MonkeyPatch) -> Platform:
    """A filed zone on a local SQLite file that the commands open through the environment."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SINGLEWINDOW_DATABASE_URL", url)
    factory = make_sessionmaker(open_database(url))
    file_zone(factory, keys)
    clock = FixedClock(datetime.now(UTC) - timedelta(hours=48))
    ctx = ClearanceContext(
        codes=load_code_tables(), rates=load_default_rates(), risk=NEVER, clock=clock
    )
    return Platform(factory, ctx, keys, clock)


def _files(tmp_path: Path, keys: Keys, parcel: Parcel) -> list[Path]:
    paths = []
    for mt, doc in import_docs(parcel).items():
        path = tmp_path / f"{mt}-{parcel.n}.xml"
        path.write_bytes(keys.sign(doc))
        paths.append(path)
    return paths


def test_submit_prints_one_receipt_per_record_as_json(
    local: Platform, tmp_path: Path, keys: Keys
) -> None:
    files = _files(tmp_path, keys, Parcel(1))
    result = CliRunner().invoke(app, ["submit", *map(str, files), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["message_type"], r["returnStatus"], r["reasons"]) for r in rows] == [
        ("CEB311", "120", []),
        ("CEB411", "120", []),
        ("CEB511", "120", []),
        ("CEB621", "800", []),
    ]
    assert list(rows[0]) == RECEIPT_KEYS_311


def test_submit_exits_0_whatever_the_verdicts(local: Platform, tmp_path: Path) -> None:
    unsigned = tmp_path / "unsigned.xml"
    unsigned.write_bytes(import_docs(Parcel(1))["CEB311"].render())
    hostile = tmp_path / "hostile.xml"
    hostile.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "b">]><x>&e;</x>')
    result = CliRunner().invoke(app, ["submit", str(unsigned), str(hostile), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["returnStatus"], r["reasons"]) for r in rows] == [
        ("100", ["sender.signature_required"]),
        ("100", ["hostile.doctype"]),
    ]
    assert local.counts()["messages"] == 0


def test_inventory_show(local: Platform, tmp_path: Path, keys: Keys) -> None:
    p = Parcel(1)
    docs = import_docs(p)
    local.send(docs["CEB621"])  # waits for its documents
    invt_no = local.inventory(p.order_no).invt_no or ""
    runner = CliRunner()
    shown = runner.invoke(app, ["inventory", "show", "--invt-no", invt_no, "--json"])
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.stdout)
    assert list(view) == INVENTORY_KEYS
    assert (view["invtNo"], view["returnStatus"], view["tax"]) == (invt_no, "120", None)
    # The operator's command sees the buyer's ID number whole.
    assert view["buyerIdNumber"] == p.buyer_id
    by_order = runner.invoke(
        app, ["inventory", "show", "--order-no", p.order_no, "--ebp-code", "4110960001"]
    )
    assert by_order.exit_code == 0
    assert by_order.stdout.splitlines()[0] == f"{invt_no} {p.order_no} 4110960001 120"
    unknown = runner.invoke(app, ["inventory", "show", "--invt-no", "46212026I999999999"])
    assert unknown.exit_code == 1
    assert "inventory.not_found" in unknown.stderr


def test_sweep_refuses_what_waited_past_the_deadline(local: Platform) -> None:
    waited = Parcel(1)
    local.send(import_docs(waited)["CEB621"])  # 48 hours ago on the platform's clock
    result = CliRunner().invoke(app, ["sweep"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "refused 1 inventories waiting past the deadline\n"
    assert local.history(waited.order_no)[-1] == (
        "120",
        "100",
        ("comparison.deadline_exceeded",),
    )
    again = CliRunner().invoke(app, ["sweep"])
    assert again.stdout == "refused 0 inventories waiting past the deadline\n"


def test_receipts_of_a_message_as_json_and_xml(local: Platform, tmp_path: Path, keys: Keys) -> None:
    files = _files(tmp_path, keys, Parcel(1))
    inventory_file = files[-1]
    runner = CliRunner()
    # The inventory first: it waits; the later documents release it, a second receipt.
    first = runner.invoke(app, ["submit", str(inventory_file), "--json"])
    guid = json.loads(first.stdout)[0]["message_guid"]
    runner.invoke(app, ["submit", *map(str, files[:-1]), "--json"])
    shown = runner.invoke(app, ["receipts", guid])
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.stdout)
    assert [(r["returnStatus"], r["reasons"]) for r in rows] == [
        (
            "120",
            [
                "comparison.order_missing",
                "comparison.payment_missing",
                "comparison.waybill_missing",
            ],
        ),
        ("800", []),
    ]
    as_xml = runner.invoke(app, ["receipts", guid, "--xml"])
    assert as_xml.exit_code == 0, as_xml.output
    result = check(as_xml.stdout.encode("utf-8"))
    assert (result.message_type, result.valid, result.records) == ("CEB622", True, 1)
    assert "<ceb:returnStatus>800</ceb:returnStatus>" in as_xml.stdout
    unknown = runner.invoke(app, ["receipts", "00000000-0000-0000-0000-000000000000"])
    assert unknown.exit_code == 1
    assert "receipt.not_found" in unknown.stderr
