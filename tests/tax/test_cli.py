from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from singlewindow.tax.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _platform_database(
    database_url: str, session_factory: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quote reads the rate table in force from the platform's (migrated) database."""
    monkeypatch.setenv("SINGLEWINDOW_DATABASE_URL", database_url)


@pytest.mark.parametrize(
    ("args", "code", "stdout"),
    [
        pytest.param(
            ["--value", "1000", "--freight", "20", "--hs-code", "1901101090", "--json"],
            0,
            '{"dutiable_value": "1020.00", "tariff": "0.00", "vat": "92.82", '
            '"consumption_tax": "0.00", "total": "92.82", "preferential": true, '
            '"allowed": true, "reasons": []}\n',
            id="json_within_limits_case",
        ),
        pytest.param(
            ["--value", "6000", "--freight", "0", "--hs-code", "2204210000", "--json"],
            0,
            '{"dutiable_value": "6000.00", "tariff": "0.00", "vat": "606.67", '
            '"consumption_tax": "466.67", "total": "1073.34", "preferential": true, '
            '"allowed": false, "reasons": ["tax.single_limit_exceeded"]}\n',
            id="refused_still_exit_0_case",
        ),
        pytest.param(
            [
                "--value",
                "6000",
                "--freight",
                "0",
                "--hs-code",
                "2204210000",
                "--items",
                "1",
                "--json",
            ],
            0,
            '{"dutiable_value": "6000.00", "tariff": "840.00", "vat": "988.00", '
            '"consumption_tax": "760.00", "total": "2588.00", "preferential": false, '
            '"allowed": true, "reasons": ["tax.single_item_full_tax"]}\n',
            id="single_item_case",
        ),
        pytest.param(
            [
                "--value",
                "980",
                "--freight",
                "20",
                "--hs-code",
                "1901101090",
                "--buyer-used",
                "25000.01",
                "--json",
            ],
            0,
            '{"dutiable_value": "1000.00", "tariff": "0.00", "vat": "91.00", '
            '"consumption_tax": "0.00", "total": "91.00", "preferential": true, '
            '"allowed": false, "reasons": ["tax.annual_quota_exceeded"]}\n',
            id="buyer_used_case",
        ),
        pytest.param(
            [
                "--value",
                "500",
                "--freight",
                "0",
                "--insurance",
                "0",
                "--hs-code",
                "3304990039",
                "--qty1",
                "50",
                "--unit1",
                "096",
                "--json",
            ],
            0,
            '{"dutiable_value": "500.00", "tariff": "0.00", "vat": "53.53", '
            '"consumption_tax": "61.76", "total": "115.29", "preferential": true, '
            '"allowed": true, "reasons": []}\n',
            id="cosmetics_by_ml_case",
        ),
        pytest.param(
            ["--value", "1000", "--freight", "20", "--hs-code", "1901101090"],
            0,
            "dutiable value 1020.00 CNY: tariff 0.00 + VAT 92.82 + consumption tax 0.00 = "
            "92.82 CNY (preferential 70 %, allowed)\n",
            id="readable_case",
        ),
        pytest.param(
            ["--value", "10", "--freight", "1", "--hs-code", "1209300000", "--json"],
            1,
            '{"dutiable_value": "11.00", "tariff": "0.00", "vat": "0.00", '
            '"consumption_tax": "0.00", "total": "0.00", "preferential": true, '
            '"allowed": false, "reasons": ["tax.no_rate"]}\n',
            id="no_rate_exit_1_case",
        ),
        pytest.param(
            ["--value", "ten", "--freight", "1", "--hs-code", "1901101090", "--json"],
            1,
            "",
            id="bad_amount_exit_1_case",
        ),
        pytest.param(
            ["--value", "-1", "--freight", "1", "--hs-code", "1901101090"],
            1,
            "",
            id="negative_amount_exit_1_case",
        ),
        pytest.param(["--freight", "1", "--hs-code", "1901101090"], 2, "", id="usage_case"),
    ],
)
def test_quote(args: list[str], code: int, stdout: str) -> None:
    result = runner.invoke(app, ["quote", *args])
    assert result.exit_code == code
    assert result.stdout == stdout


def test_quote_readable_lists_reasons_in_both_languages() -> None:
    result = runner.invoke(
        app, ["quote", "--value", "5001", "--freight", "0", "--hs-code", "1901101090"]
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == (
        "  tax.single_limit_exceeded: 完税价格 5001.00 元超过单次交易限值 5000.00 元（订单共 2 件）"
        " / Dutiable value 5001.00 CNY is over the single-transaction limit of 5000.00 CNY "
        "(order of 2 items)"
    )


def test_quote_json_parses() -> None:
    result = runner.invoke(
        app, ["quote", "--value", "100", "--freight", "0", "--hs-code", "2204210000", "--json"]
    )
    assert json.loads(result.stdout)["consumption_tax"] == "7.78"


def test_rates_import_replaces_the_table_in_force(tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "hs_code,vat_rate,ct_rate,ct_rule,mfn_rate,source,confirmed\n"
        "1901101090,0.09,0,none,0.15,test table,no\n",
        encoding="utf-8",
    )
    imported = runner.invoke(app, ["rates", "import", str(rates)])
    assert (imported.exit_code, imported.stdout) == (0, "1 rates in force\n")
    quoted = runner.invoke(
        app, ["quote", "--value", "1000", "--freight", "20", "--hs-code", "1901101090", "--json"]
    )
    # 1020 × 9 % × 70 % = 64.26: the imported rate, not the packaged 13 %.
    assert json.loads(quoted.stdout)["vat"] == "64.26"
    gone = runner.invoke(
        app, ["quote", "--value", "10", "--freight", "0", "--hs-code", "0402210000", "--json"]
    )
    assert gone.exit_code == 1


def test_rates_import_refuses_a_bad_file_and_keeps_the_table(tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "hs_code,vat_rate,ct_rate,ct_rule,mfn_rate,source,confirmed\n"
        "1901101090,1.5,0,none,0.15,bad rate,no\n",
        encoding="utf-8",
    )
    refused = runner.invoke(app, ["rates", "import", str(rates)])
    assert refused.exit_code == 1
    shown = runner.invoke(app, ["rates", "show", "--json"])
    assert len(json.loads(shown.stdout)) > 30
