from __future__ import annotations

import json
from pathlib import Path

import pytest
from samples import PREFIX, SAMPLES, sample
from typer.testing import CliRunner

from singlewindow.message.cli import app

runner = CliRunner()


def test_check_valid_files_exit_zero() -> None:
    files = [
        str(SAMPLES / f"{PREFIX}CEB311Message.xml"),
        str(SAMPLES / f"{PREFIX}CEB622Message.xml"),
    ]
    outcome = runner.invoke(app, ["check", *files])
    assert outcome.exit_code == 0
    assert outcome.output.splitlines() == [
        f"{files[0]}: CEB311 valid, 6 record(s)",
        f"{files[1]}: CEB622 valid, 10 record(s)",
    ]


def test_check_json_of_an_invalid_file(tmp_path: Path) -> None:
    bad = tmp_path / "a.xml"
    bad.write_bytes(sample("CEB303"))
    outcome = runner.invoke(app, ["check", "--json", str(bad)])
    assert outcome.exit_code == 1
    assert json.loads(outcome.output) == [
        {
            "file": str(bad),
            "message_type": "CEB303",
            "valid": False,
            "records": 10,
            "errors": [
                {
                    "code": "format.too_many",
                    "path": "/CEB303Message/BaseTransfer[2]",
                    "line": 321,
                    "message_zh": "元素 BaseTransfer 出现第 2 次，规范最多允许 1 次",
                    "message_en": "element BaseTransfer occurs 2 times; at most 1 allowed",
                }
            ],
        }
    ]


def test_check_text_names_file_line_and_path(tmp_path: Path) -> None:
    bad = tmp_path / "b.xml"
    bad.write_bytes(sample("CEB603"))
    outcome = runner.invoke(app, ["check", str(bad)])
    assert outcome.exit_code == 1
    assert outcome.output.startswith(f"{bad}:721: format.too_many /CEB603Message/BaseTransfer[2]")


def test_show_json_of_a_nested_message() -> None:
    outcome = runner.invoke(app, ["show", "--json", str(SAMPLES / f"{PREFIX}CEB311Message.xml")])
    assert outcome.exit_code == 0
    shown = json.loads(outcome.output)
    assert (shown["message_type"], shown["guid"]) == (
        "CEB311",
        "4CDE1CFD-EDED-46B1-946C-B8022E42FC94",
    )
    assert len(shown["records"]) == 6
    first = shown["records"][0]
    assert first["OrderHead"]["orderNo"] == "order20160321116421002"
    assert [line["gnum"] for line in first["OrderList"]] == ["1", "2"]


def test_show_refuses_an_invalid_message(tmp_path: Path) -> None:
    bad = tmp_path / "c.xml"
    bad.write_bytes(sample("CEB303"))
    outcome = runner.invoke(app, ["show", "--json", str(bad)])
    assert outcome.exit_code == 1
    assert "format.too_many" in outcome.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        pytest.param(["schema", "CEB621"], '<xs:element name="CEB621Message">', id="xsd_case"),
        pytest.param(["schema", "CEB621", "--json-schema"], '"const": "CEB621"', id="json_case"),
        pytest.param(["schema", "CEB621", "--xmldsig"], 'name="Signature"', id="xmldsig_case"),
    ],
)
def test_schema_export(args: list[str], needle: str) -> None:
    outcome = runner.invoke(app, args)
    assert outcome.exit_code == 0
    assert needle in outcome.output


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["schema", "CEB999"], id="unknown_type_case"),
        pytest.param(["check"], id="no_file_case"),
        pytest.param(["check", "missing-file.xml"], id="missing_file_case"),
        pytest.param(["show"], id="show_no_file_case"),
        pytest.param(["check", "--bogus", "x.xml"], id="unknown_option_case"),
    ],
)
def test_usage_errors_exit_two(args: list[str]) -> None:
    outcome = runner.invoke(app, args)
    assert outcome.exit_code == 2
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
