"""The dashboard's figures, shaped for the page: KPI tiles against targets and chart series.

The figures come from `statistics.service.dashboard` (its docstring gives the shape); this
module only picks, labels and formats them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from singlewindow.auth.domain import Principal
from singlewindow.kit.errors import Forbidden
from singlewindow.statistics import service as statistics
from singlewindow.web.i18n import Lang

Translate = Callable[..., str]


@dataclass(frozen=True, slots=True)
class Kpi:
    label: str
    actual: str
    target: str | None = None
    share: float | None = None  # actual / target, for the progress bar


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    y: list[float]


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title_key: str
    kind: str  # "line" or "bar"
    x: list[str]
    series: list[Series]
    y_label: str = ""


@dataclass(frozen=True, slots=True)
class Board:
    as_of: str
    kpis: list[Kpi] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    def charts_payload(self) -> list[dict[str, Any]]:
        """What console.js draws: plain JSON, rendered into the page (no second request)."""
        return [asdict(c) for c in self.charts if c.x]


def plotly_js_path() -> Path:
    """plotly.min.js inside the installed plotly package (found without importing plotly)."""
    spec = find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the plotly package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"


def load(
    session: Session, principal: Principal, *, now: datetime, lang: Lang, t: Translate
) -> Board | None:
    """None when this role has no dashboard."""
    try:
        data = statistics.dashboard(session, principal, now=now)
    except Forbidden:
        return None
    return board_of(data, lang=lang, t=t)


def _yuan(fen: int) -> str:
    """Grouped whole yuan for a tile: 1234567.89 CNY reads 1,234,568."""
    return f"{round(Decimal(fen) / 100):,}"


def _rate(value: str | None) -> str:
    return "—" if value is None else f"{Decimal(value) * 100:.1f}%"


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _hours(seconds: int | None) -> str:
    return "—" if seconds is None else f"{seconds / 3600:.1f} h"


def _target_kpi(row: Mapping[str, Any], lang: Lang) -> Kpi:
    label = row["label_zh"] if lang is Lang.ZH else row["label_en"]
    fmt = _yuan if row["unit"] == "fen" else _count
    unit = (
        " 元"
        if row["unit"] == "fen" and lang is Lang.ZH
        else " CNY"
        if row["unit"] == "fen"
        else ""
    )
    actual = row.get("actual")
    ratio = row.get("ratio")
    return Kpi(
        label=f"{label} ({row['target_year']})",
        actual="—" if actual is None else fmt(actual) + unit,
        target=fmt(row["target"]) + unit,
        share=None if ratio is None else float(ratio),
    )


def _bars(chart_id: str, title_key: str, rows: Sequence[Mapping[str, Any]], t: Translate) -> Chart:
    return Chart(
        id=chart_id,
        title_key=title_key,
        kind="bar",
        x=[str(r["key"]) or "—" for r in rows],
        series=[Series(t("dash.value"), [r["value_fen"] / 100 for r in rows])],
        y_label=t("dash.value"),
    )


def board_of(data: Mapping[str, Any], *, lang: Lang, t: Translate) -> Board:
    k = data["kpis"]
    latency = k["release_latency_seconds"]
    kpis = [_target_kpi(row, lang) for row in data.get("targets", [])]
    kpis += [
        Kpi(t("kpi.trade_value"), _yuan(k["trade_value_fen"])),
        Kpi(t("kpi.parcels_released"), _count(k["parcels_released"])),
        Kpi(t("kpi.lists_declared"), _count(k["lists_declared"])),
        Kpi(t("kpi.lists_refused"), _count(k["lists_refused"])),
        Kpi(t("kpi.comparison_pass_rate"), _rate(k["comparison_pass_rate"])),
        Kpi(t("kpi.inspection_rate"), _rate(k["inspection_rate"])),
        Kpi(t("kpi.latency"), f"{_hours(latency['median'])} / {_hours(latency['p95'])}"),
        Kpi(t("kpi.taxes"), _yuan(k["taxes_fen"])),
        Kpi(
            t("kpi.enterprises"),
            f"{_count(k['enterprises_active'])} / {_count(k['enterprises_filed'])}",
        ),
    ]
    trend = data.get("trend", [])
    days = [d["day"] for d in trend]
    charts = [
        Chart(
            id="trend",
            title_key="dash.trend",
            kind="line",
            x=days if any(d["declared"] or d["released"] or d["refused"] for d in trend) else [],
            series=[
                Series(t("kpi.lists_declared"), [d["declared"] for d in trend]),
                Series(t("kpi.parcels_released"), [d["released"] for d in trend]),
                Series(t("kpi.lists_refused"), [d["refused"] for d in trend]),
            ],
            y_label=t("dash.parcels"),
        )
    ]
    breakdowns = data.get("breakdowns", {})
    for key, title in (
        ("country", "dash.by_country"),
        ("trade_mode", "dash.by_mode"),
        ("county", "dash.by_county"),
        ("hs_chapter", "dash.by_commodity"),
    ):
        charts.append(_bars(key, title, breakdowns.get(key, []), t))
    refusals = data.get("refusals", [])
    charts.append(
        Chart(
            id="refusals",
            title_key="dash.refusals",
            kind="bar",
            x=[r["reason"] for r in refusals],
            series=[Series(t("kpi.lists_refused"), [r["count"] for r in refusals])],
            y_label=t("dash.parcels"),
        )
    )
    return Board(as_of=str(data.get("as_of", "")), kpis=kpis, charts=charts)
