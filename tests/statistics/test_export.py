from __future__ import annotations

import io

from openpyxl import load_workbook

from singlewindow.statistics.export import to_csv, to_xlsx

COLUMNS = ["month", "country", "parcels", "value_fen", "value_cny", "rate"]
ROWS = [
    {"month": "2026-04", "country": "USA", "parcels": 3, "value_fen": 123456,
     "value_cny": "1234.56", "rate": None},
    {"month": "2026-05", "country": "中国, \"CN\"", "parcels": 1, "value_fen": 5,
     "value_cny": "0.05", "rate": "0.5000"},
]  # fmt: skip


def test_csv_exact_content() -> None:
    assert to_csv(COLUMNS, ROWS) == (
        "month,country,parcels,value_fen,value_cny,rate\r\n"
        "2026-04,USA,3,123456,1234.56,\r\n"
        '2026-05,"中国, ""CN""",1,5,0.05,0.5000\r\n'
    )


def test_csv_of_no_rows_is_the_header() -> None:
    assert to_csv(["day", "lists"], []) == "day,lists\r\n"


def test_xlsx_reads_back() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(COLUMNS, ROWS, title="trade_value")))
    sheet = book["trade_value"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        COLUMNS,
        ["2026-04", "USA", 3, 123456, "1234.56", None],
        ["2026-05", '中国, "CN"', 1, 5, "0.05", "0.5000"],
    ]
    assert sheet["A1"].font.bold is True
    assert book.sheetnames == ["trade_value"]
