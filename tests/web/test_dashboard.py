"""The dashboard's reshaping: KPI tiles with targets, and the chart series console.js draws."""

from __future__ import annotations

import copy

import pytest
from tests.web.dashboard_sample import SAMPLE

from singlewindow.web.dashboard import Kpi, board_of
from singlewindow.web.i18n import Lang, translator


def test_target_tiles_come_first_with_share_of_target() -> None:
    board = board_of(SAMPLE, lang=Lang.ZH, t=translator(Lang.ZH))
    assert board.kpis[:3] == [
        Kpi("跨境电商交易额 (2018)", "1,234,568 元", "12,000,000,000 元", 0.0001),
        Kpi("示范园区 (2018)", "2", "5", 0.4),
        Kpi("电子商务交易额 (2018)", "—", "65,000,000,000 元", None),
    ]


def test_english_labels_come_from_the_target_row_and_the_strings() -> None:
    board = board_of(SAMPLE, lang=Lang.EN, t=translator(Lang.EN))
    assert board.kpis[1].label == "Demonstration parks (2018)"
    assert board.kpis[0].actual == "1,234,568 CNY"
    assert [k.label for k in board.kpis[3:6]] == [
        "Trade value this year (CNY)",
        "Parcels released",
        "Inventories declared",
    ]


@pytest.mark.parametrize(
    ("label", "actual"),
    [
        pytest.param("三单比对通过率", "91.2%", id="rate_case"),
        pytest.param("查验率", "—", id="rate_none_case"),
        pytest.param("申报至放行 中位/P95", "1.5 h / 24.0 h", id="latency_case"),
        pytest.param("征收税款（元）", "5,500", id="taxes_case"),
        pytest.param("活跃/备案企业", "7 / 12", id="enterprises_case"),
    ],
)
def test_kpi_formatting(label: str, actual: str) -> None:
    board = board_of(SAMPLE, lang=Lang.ZH, t=translator(Lang.ZH))
    assert {k.label: k.actual for k in board.kpis}[label] == actual


def test_charts_payload_is_what_console_js_draws() -> None:
    board = board_of(SAMPLE, lang=Lang.ZH, t=translator(Lang.ZH))
    payload = board.charts_payload()
    assert [c["id"] for c in payload] == [
        "trend",
        "country",
        "trade_mode",
        "county",
        "hs_chapter",
        "refusals",
    ]
    trend = payload[0]
    assert trend["kind"] == "line"
    assert trend["x"] == ["2026-04-30", "2026-05-01"]
    assert [(s["name"], s["y"]) for s in trend["series"]] == [
        ("申报清单", [3, 0]),
        ("放行单量", [2, 1]),
        ("退单", [1, 0]),
    ]
    country = payload[1]
    assert (country["kind"], country["x"], country["series"][0]["y"]) == (
        "bar",
        ["USA", "—"],
        [20000.0, 1.0],
    )


def test_empty_series_are_left_out_of_the_payload() -> None:
    data = copy.deepcopy(SAMPLE)
    data["trend"] = [dict(d, declared=0, released=0, refused=0) for d in data["trend"]]
    data["breakdowns"]["county"] = []
    board = board_of(data, lang=Lang.ZH, t=translator(Lang.ZH))
    assert [c["id"] for c in board.charts_payload()] == [
        "country",
        "trade_mode",
        "hs_chapter",
        "refusals",
    ]
    assert [c.id for c in board.charts if not c.x] == ["trend", "county"]
