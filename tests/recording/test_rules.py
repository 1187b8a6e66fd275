from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from singlewindow.recording.domain import LATENCY_OVERFLOW, Bucket, Dimensions, Event
from singlewindow.recording.rules import (
    day_of,
    dimensions_of,
    events_of,
    fold,
    latency_edge,
    refusal_reasons,
    rollup_rows,
)

B = Bucket


@pytest.mark.parametrize(
    ("from_status", "to_status", "reasons", "buckets"),
    [
        pytest.param("", "1", (), [], id="temporarily_saved_counts_nothing_case"),
        pytest.param("", "120", (), [B.DECLARED], id="first_declaration_case"),
        pytest.param("1", "120", (), [B.DECLARED], id="declared_after_saving_case"),
        pytest.param("100", "120", (), [B.DECLARED], id="declared_again_after_refusal_case"),
        pytest.param(
            "120", "800", (), [B.MATCHED, B.DECIDED, B.RELEASED], id="import_released_case"
        ),
        pytest.param(
            "120", "500", ("risk.inspection_drawn",),
            [B.MATCHED, B.DECIDED, B.INSPECTED], id="import_inspected_case",
        ),
        pytest.param("120", "399", (), [B.MATCHED], id="export_concluded_case"),
        pytest.param("399", "800", (), [B.DECIDED, B.RELEASED], id="export_released_case"),
        pytest.param(
            "399", "500", (), [B.DECIDED, B.INSPECTED], id="export_inspected_on_arrival_case"
        ),
        pytest.param("500", "800", ("inspection.passed",), [B.RELEASED], id="inspection_ok_case"),
        pytest.param(
            "500", "100", ("inspection.failed",), [B.REFUSED], id="inspection_failed_case"
        ),
        pytest.param(
            "120", "100", ("comparison.amount_mismatch",),
            [B.MISMATCHED, B.REFUSED], id="comparison_failed_case",
        ),
        pytest.param(
            "120", "100", ("risk.negative_list", "comparison.amount_mismatch"),
            [B.MISMATCHED, B.REFUSED], id="comparison_and_risk_failed_case",
        ),
        pytest.param(
            "120", "100", ("risk.negative_list",), [B.MATCHED, B.REFUSED],
            id="risk_refusal_after_matching_case",
        ),
        pytest.param(
            "120", "100", ("tax.annual_quota_exceeded",), [B.MATCHED, B.REFUSED],
            id="quota_refusal_after_matching_case",
        ),
        pytest.param(
            "120", "100", ("declaration.deleted",), [B.REFUSED], id="deleted_not_compared_case"
        ),
        pytest.param("800", "899", (), [B.CLOSED], id="export_closed_case"),
        pytest.param("800", "100", ("release.cancelled",), [B.REFUSED], id="cancelled_case"),
    ],
)  # fmt: skip
def test_events_of(
    from_status: str, to_status: str, reasons: tuple[str, ...], buckets: list[Bucket]
) -> None:
    events = events_of(from_status, to_status, reasons, 1234)
    assert [e.bucket for e in events] == buckets
    assert all(e.parcels == 1 and e.value_fen == 1234 and e.tax_fen == 0 for e in events)


@pytest.mark.parametrize(
    ("tax_fen", "expected"),
    [
        pytest.param(0, (), id="no_tax_case"),
        pytest.param(2345, (Event(B.TAXED, 1, 0, 2345),), id="bill_written_case"),
        pytest.param(-2345, (Event(B.TAXED, -1, 0, -2345),), id="bill_voided_case"),
    ],
)
def test_tax_events(tax_fen: int, expected: tuple[Event, ...]) -> None:
    assert events_of("1", "1", (), 100, tax_fen) == expected


def test_dimensions_of_export_list() -> None:
    body = {
        "InventoryHead": {"country": "USA", "tradeMode": "9610"},
        "InventoryList": [
            {"gcode": "6704110000", "totalPrice": "100.005", "currency": "142"},
            {"gcode": "0409000000", "totalPrice": "250.10", "currency": "142"},
            {"gcode": "6911101000", "totalPrice": "999", "currency": "502"},
        ],
    }
    dims = dimensions_of(
        body, direction="E", trade_mode="", ebc_code="X", county="建安区", park="P"
    )
    # Only CNY lines count in value (100.005 + 250.10 = 350.105 → 35011 fen, half-up); the
    # chapter is the line of the highest written price, whatever its currency.
    assert dims == Dimensions("E", "9610", "USA", "69", "建安区", "P", "X", 35011)


def test_dimensions_of_import_list_takes_the_head_currency() -> None:
    body = {
        "InventoryHead": {"country": "JPN", "currency": "142"},
        "InventoryList": [
            {"gcode": "3304990000", "totalPrice": "80"},
            {"gcode": "3305100000", "totalPrice": "80"},
        ],
    }
    dims = dimensions_of(body, direction="I", trade_mode="1210", ebc_code="Y", county="", park="")
    assert dims == Dimensions("I", "1210", "JPN", "33", "", "", "Y", 16000)


@pytest.mark.parametrize(
    ("seconds", "edge"),
    [
        pytest.param(-5, 1, id="clock_skew_counts_as_zero_case"),
        pytest.param(0, 1, id="zero_case"),
        pytest.param(1, 1, id="on_edge_case"),
        pytest.param(2, 2, id="second_edge_case"),
        pytest.param(61, 120, id="just_over_a_minute_case"),
        pytest.param(86400, 86400, id="one_day_case"),
        pytest.param(7776000, 7776000, id="ninety_days_case"),
        pytest.param(7776001, LATENCY_OVERFLOW, id="overflow_case"),
    ],
)
def test_latency_edge(seconds: int, edge: int) -> None:
    assert latency_edge(seconds) == edge


def test_day_of_is_the_cst_day() -> None:
    assert day_of(datetime(2026, 5, 10, 16, 0, tzinfo=UTC)) == date(2026, 5, 11)
    assert day_of(datetime(2026, 5, 10, 15, 59, 59, tzinfo=UTC)) == date(2026, 5, 10)


def test_refusal_reasons() -> None:
    assert refusal_reasons(("a", "b", "a")) == ("a", "b")
    assert refusal_reasons(()) == ("unspecified",)


def test_fold_sums_equal_keys_in_key_order() -> None:
    rows = [(("b", 1), (1, 10)), (("a", 2), (2, 20)), (("b", 1), (3, 30))]
    assert fold(rows) == [(("a", 2), (2, 20)), (("b", 1), (4, 40))]


def test_rollup_rows_of_a_release() -> None:
    dims = Dimensions("E", "9610", "USA", "67", "建安区", "P1", "S1", 500)
    day = date(2026, 5, 11)
    rows = rollup_rows(
        dims, events_of("399", "800", (), 500), day=day, stripe=3, latency_seconds=90
    )
    assert rows.daily == (
        (("S1", day, "decided", "E", "9610", "USA", "67", "建安区", "P1"), (1, 500, 0)),
        (("S1", day, "released", "E", "9610", "USA", "67", "建安区", "P1"), (1, 500, 0)),
    )
    assert [k[:2] for k, _ in rows.zone] == [
        ("total", "decided"),
        ("trade_mode", "decided"),
        ("total", "released"),
        ("trade_mode", "released"),
        ("country", "released"),
        ("hs_chapter", "released"),
        ("county", "released"),
        ("park", "released"),
        ("ebc_code", "released"),
    ]
    assert rows.latency == (
        (("", day, "E", "9610", 120, 3), (1, 90)),
        (("S1", day, "E", "9610", 120, 3), (1, 90)),
    )
    assert rows.refusals == ()
