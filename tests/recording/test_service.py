"""The roll-ups equal a recomputation from the inventories' own histories, for a generated set,
read back through every grouping the statistics offer (zone and enterprise scope)."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from singlewindow.auth.domain import AgencyRole, Principal
from singlewindow.db.session import unit_of_work
from singlewindow.declaration.tables import InventoryRow
from singlewindow.kit.clock import CST
from singlewindow.recording.rules import latency_edge
from singlewindow.recording.service import record_transition
from singlewindow.registry.tables import EnterpriseRow
from singlewindow.statistics import service

SELLERS = {  # code: (county, park); S4 is not filed
    "S1": ("建安区", "许昌跨境电商产业园"),
    "S2": ("建安区", ""),
    "S3": ("禹州市", "钧瓷文化园"),
}
ALL_SELLERS = [*SELLERS, "S4"]
ZONE = Principal(1, AgencyRole.STATISTICS, "stats")
START, END = date(2026, 3, 1), date(2026, 5, 31)


@dataclass
class Move:
    from_status: str
    to_status: str
    reasons: tuple[str, ...]
    at: datetime
    tax_fen: int = 0


@dataclass
class Generated:
    row: InventoryRow
    body: dict[str, Any]
    country: str
    value_fen: int
    chapter: str
    moves: list[Move] = field(default_factory=list)


def _value_fen(lines: list[dict[str, str]]) -> int:
    total = sum((Decimal(x["totalPrice"]) for x in lines if x["currency"] == "142"), Decimal(0))
    return int((total * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _paths(direction: str) -> list[list[tuple[str, str, tuple[str, ...], int]]]:
    """Life paths: (from, to, reasons, tax sign)."""
    if direction == "I":
        return [
            [("", "120", (), 0), ("120", "800", (), 1)],
            [("", "120", (), 0), ("120", "500", ("risk.drawn",), 1), ("500", "800", (), 0)],
            [("", "120", (), 0), ("120", "500", (), 1), ("500", "100", ("inspection.failed",), -1)],
            [("", "120", (), 0), ("120", "100", ("comparison.amount_mismatch",), 0)],
            [("", "120", (), 0), ("120", "100", ("risk.negative_list",), 0)],
            [("", "1", (), 0), ("1", "120", (), 0), ("120", "100", ("declaration.deleted",), 0)],
            [("", "120", (), 0)],
        ]
    return [
        [("", "120", (), 0), ("120", "399", (), 0), ("399", "800", (), 0), ("800", "899", (), 0)],
        [("", "120", (), 0), ("120", "399", (), 0), ("399", "500", (), 0), ("500", "800", (), 0)],
        [("", "120", (), 0), ("120", "100", ("comparison.waybill_missing",), 0),
         ("100", "120", (), 0), ("120", "399", (), 0), ("399", "800", (), 0)],
        [("", "120", (), 0), ("120", "100", ("comparison.deadline_exceeded",), 0)],
    ]  # fmt: skip


def generate(seed: int, count: int) -> list[Generated]:
    rng = random.Random(seed)
    made = []
    for i in range(1, count + 1):
        direction = rng.choice("IE")
        mode = rng.choice(["9610", "1210"] if direction == "I" else ["9610", "9710", "9810"])
        country = rng.choice(["USA", "JPN", "KOR", "DEU"])
        lines = [
            {
                "gcode": rng.choice(["6704110000", "0409000000", "6911101000", "3304990000"]),
                "totalPrice": f"{rng.randint(1, 500000) / 1000:.3f}",
                "currency": "142" if direction == "I" or rng.random() < 0.9 else "502",
            }
            for _ in range(rng.randint(1, 3))
        ]
        top = max(lines, key=lambda x: Decimal(x["totalPrice"]))
        body = {"InventoryHead": {"country": country, "tradeMode": mode}, "InventoryList": lines}
        ebc = rng.choice(ALL_SELLERS)
        row = InventoryRow(id=i, direction=direction, trade_mode=mode, ebc_code=ebc)
        g = Generated(row, body, country, _value_fen(lines), top["gcode"][:2])
        at = datetime(2026, 3, 1, tzinfo=CST) + timedelta(seconds=rng.randint(0, 85 * 86400))
        tax = rng.randint(1, 5000)
        for from_status, to_status, reasons, sign in rng.choice(_paths(direction)):
            g.moves.append(Move(from_status, to_status, reasons, at, sign * tax))
            at += timedelta(seconds=rng.choice([0, 5, 70, 1000, 5000, 90000, 200000]))
        made.append(g)
    return made


def _record(factory: sessionmaker[Session], made: list[Generated]) -> None:
    with unit_of_work(factory) as session:
        for code, (county, park) in SELLERS.items():
            session.add(
                EnterpriseRow(
                    code=code, name=code, roles=["ebc"], credit_class="regular",
                    county=county, park=park or None,
                )
            )  # fmt: skip
    # Moves in time order across inventories, as the clearance path would make them.
    timeline = sorted(((m.at, g.row.id, n, g) for g in made for n, m in enumerate(g.moves)))
    with unit_of_work(factory) as session:
        for _, _, n, g in timeline:
            move = g.moves[n]
            declared = next(m.at for m in g.moves if m.to_status == "120")
            record_transition(
                session,
                inventory=g.row,
                body=g.body,
                from_status=move.from_status,
                to_status=move.to_status,
                reasons=move.reasons,
                at=move.at,
                declared_at=declared,
                tax_fen=move.tax_fen,
            )


def _key(g: Generated, m: Move, group: list[str]) -> tuple[Any, ...]:
    county, park = SELLERS.get(g.row.ebc_code, ("", ""))
    day = m.at.astimezone(CST).date()
    values = {
        "day": day.isoformat(),
        "month": f"{day.year}-{day.month:02d}",
        "direction": g.row.direction,
        "trade_mode": g.row.trade_mode,
        "country": g.country,
        "hs_chapter": g.chapter,
        "county": county,
        "park": park,
        "ebc_code": g.row.ebc_code,
    }
    return tuple(values[x] for x in group)


def _expected(made: list[Generated], group: list[str], only: str | None) -> dict[str, Any]:
    released: Counter[tuple[Any, ...]] = Counter()
    value: Counter[tuple[Any, ...]] = Counter()
    declared: Counter[tuple[Any, ...]] = Counter()
    matched: Counter[tuple[Any, ...]] = Counter()
    compared: Counter[tuple[Any, ...]] = Counter()
    taxes: Counter[tuple[Any, ...]] = Counter()
    active: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    taxed: set[tuple[Any, ...]] = set()  # a bill voided on its own day nets to 0 but is a row
    for g in made:
        if only is not None and g.row.ebc_code != only:
            continue
        for m in g.moves:
            k = _key(g, m, group)
            if m.to_status == "120" and m.from_status in ("", "1", "100"):
                declared[k] += 1
            if m.to_status == "800":
                released[k] += 1
                value[k] += g.value_fen
                active[k].add(g.row.ebc_code)
            if m.from_status == "120" and m.to_status != "120":
                failed = any(r.startswith("comparison.") for r in m.reasons)
                judged = m.to_status != "100" or any(
                    r.startswith(("comparison.", "risk.", "tax.")) for r in m.reasons
                )
                if judged:
                    compared[k] += 1
                    matched[k] += 0 if failed else 1
            if m.tax_fen:
                taxes[k] += m.tax_fen
                taxed.add(k)
    return {
        "released": {k: (released[k], value[k]) for k in released},
        "declared": dict(declared),
        "compared": {k: (matched[k], compared[k]) for k in compared},
        "taxes": {k: taxes[k] for k in taxed},
        "active": {k: len(v) for k, v in active.items()},
    }


# Every grouping is read back: the zone ones alternate between the zone marginals and the cube.
GROUPS: list[list[str]] = [
    [],
    ["day"],
    ["month", "direction"],
    ["trade_mode"],
    ["country"],
    ["hs_chapter", "direction"],
    ["county"],
    ["park"],
    ["ebc_code"],
    ["month", "country", "trade_mode"],
]


@pytest.fixture
def recorded(session_factory: sessionmaker[Session]) -> list[Generated]:
    made = generate(seed=20260511, count=400)
    _record(session_factory, made)
    return made


def _read(
    session: Session, principal: Principal, name: str, group: list[str], measures: list[str]
) -> dict[tuple[Any, ...], Any]:
    rows = service.indicator(session, principal, name, start=START, end=END, group_by=group)
    out = {}
    for row in rows:
        key = tuple(row[g] for g in group)
        got = tuple(row[m] for m in measures)
        out[key] = got[0] if len(got) == 1 else got
    return out


@pytest.mark.parametrize(
    "who",
    [
        pytest.param(None, id="zone_case"),
        pytest.param("S1", id="filed_seller_case"),
        pytest.param("S4", id="unfiled_seller_case"),
    ],
)
def test_rollups_equal_recomputation(
    session_factory: sessionmaker[Session], recorded: list[Generated], who: str | None
) -> None:
    principal = ZONE if who is None else Principal(2, AgencyRole.ENTERPRISE, who, who)
    with session_factory() as session:
        for group in GROUPS:
            _check(session, principal, recorded, group, who)


def _check(
    session: Session,
    principal: Principal,
    recorded: list[Generated],
    group: list[str],
    who: str | None,
) -> None:
    expected = _expected(recorded, group, who)
    assert (
        _read(session, principal, "trade_value", group, ["parcels", "value_fen"])
        == expected["released"]
    )
    assert _read(session, principal, "lists_declared", group, ["lists"]) == expected["declared"]
    assert (
        _read(session, principal, "comparison_pass_rate", group, ["numerator", "denominator"])
        == expected["compared"]
    )
    assert _read(session, principal, "taxes", group, ["tax_fen"]) == expected["taxes"]
    if "ebc_code" not in group:
        assert (
            _read(session, principal, "enterprises_active", group, ["enterprises"])
            == expected["active"]
        )


def test_latency_and_refusals_equal_recomputation(
    session_factory: sessionmaker[Session], recorded: list[Generated]
) -> None:
    latencies: dict[str, list[int]] = defaultdict(list)
    refusals: Counter[str] = Counter()
    for g in recorded:
        declared = next(m.at for m in g.moves if m.to_status == "120")
        for m in g.moves:
            if m.to_status == "800":
                latencies[g.row.direction].append(int((m.at - declared).total_seconds()))
            if m.to_status == "100":
                refusals.update(m.reasons)
    with session_factory() as session:
        rows = service.indicator(
            session, ZONE, "release_latency", start=START, end=END, group_by=["direction"]
        )
        found = service.indicator(
            session, ZONE, "refusals_by_reason", start=START, end=END, group_by=[]
        )
    for row in rows:
        samples = sorted(latencies[row["direction"]])
        n = len(samples)
        assert row["samples"] == n
        assert row["median_seconds"] == latency_edge(samples[(n + 1) // 2 - 1])
        assert row["p95_seconds"] == latency_edge(samples[-(-95 * n // 100) - 1])
        assert row["mean_seconds"] == round(Decimal(sum(samples)) / n)
    assert {r["reason"]: r["refusals"] for r in found} == dict(refusals)
    assert len(rows) == 2
