"""Console dashboard server time with 1,000,000 closed export inventories stored.

A fresh database (SQLite file, or a throwaway PostgreSQL cluster this script starts and stops)
is migrated; 200 sellers are filed over 8 counties; `--inventories` export lists are stored
(messages, documents, inventories, all at 899 closed) over the year to date, and their four
moves each (→120, →399, →800, →899) are rolled up by the recorder's own rules and loaded in
bulk. Then, in-process through the HTTP app (`TestClient`, so the figure includes routing,
authentication and JSON):

1. `GET /statistics/dashboard` as a zone statistics officer and as one seller, `--requests`
   times each after one warm-up → median, p95, max milliseconds per request;
2. `record_transition` on the loaded tables: the recorder's cost per move on the hot path.

Must: dashboard under 300 ms per request on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_dashboard.py [--db sqlite|postgres|both]
        [--inventories 1000000] [--requests 20]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, Table, func, insert, select

from singlewindow.api.app import create_app
from singlewindow.auth import service as auth
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.migrate import upgrade
from singlewindow.db.session import make_engine, make_sessionmaker, unit_of_work
from singlewindow.declaration.tables import DocumentRow, InventoryRow, MessageRow
from singlewindow.kit.clock import CST, FixedClock
from singlewindow.recording import rules
from singlewindow.recording.domain import STRIPES, Keyed, RollupRows
from singlewindow.recording.service import record_transition
from singlewindow.recording.tables import DailyRow, LatencyRow, RefusalRow, ZoneDailyRow
from singlewindow.registry.tables import EnterpriseRow

MUST_MS = 300.0
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=CST)
SELLERS = 200
COUNTIES = ["魏都区", "建安区", "东城区", "禹州市", "长葛市", "鄢陵县", "襄城县", "示范区"]
# Each seller trades in its county's featured goods (HS chapter) with a few countries.
CHAPTER_OF = {"魏都区": "67", "建安区": "67", "东城区": "85", "禹州市": "69", "长葛市": "04",
              "鄢陵县": "06", "襄城县": "42", "示范区": "12"}  # fmt: skip
COUNTRIES = ["USA", "GBR", "DEU", "FRA", "JPN", "KOR", "AUS", "CAN", "BRA", "NGA", "RUS", "ZAF"]
MODES = ["9610", "9710", "9810", "1210"]
PER_MESSAGE = 100  # the standard's CEB603 carries up to 100 inventories


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="swdash") as tmp:
        yield f"sqlite:///{tmp}/bench.db"


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway cluster; initdb refuses root, so it runs as the postgres user."""
    pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    tmp = Path(tempfile.mkdtemp(prefix="swdashpg"))
    as_user: list[str] = []
    if os.getuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp / "data"
    started = False
    try:
        _run([*as_user, str(pgbin / "initdb"), "-D", str(data), "-U", "postgres",
              "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        _run([*as_user, str(pgbin / "pg_ctl"), "-D", str(data), "-l", str(tmp / "server.log"),
              "-w", "-t", "60", "-o", options, "start"])  # fmt: skip
        started = True
        _run([str(pgbin / "createdb"), "-h", str(tmp), "-p", str(port), "-U", "postgres", "sw"])
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/sw"
    finally:
        if started:
            subprocess.run(
                [*as_user, str(pgbin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(tmp, ignore_errors=True)


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {done.stdout}{done.stderr}")


def _sellers() -> list[dict[str, Any]]:
    rng = random.Random(7)
    out = []
    for i in range(SELLERS):
        county = COUNTIES[i % len(COUNTIES)]
        out.append(
            {
                "code": f"914110{i:06d}BENCH"[:18],
                "name": f"卖家{i}",
                "roles": ["ebc"],
                "credit_class": "regular",
                "county": county,
                "park": f"{county}跨境电商园" if i % 3 else None,
                "countries": rng.sample(COUNTRIES, 3),
                "modes": rng.sample(MODES, 2),
            }
        )
    return out


class Rollup:
    """Folds the roll-up rows of many moves in memory before one bulk load."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[tuple[Any, ...], list[int]]] = {
            "daily": {}, "zone": {}, "latency": {}, "refusals": {}
        }  # fmt: skip

    def add(self, rows: RollupRows) -> None:
        for name in self.tables:
            into = self.tables[name]
            keyed: tuple[Keyed, ...] = getattr(rows, name)
            for key, measures in keyed:
                found = into.get(key)
                if found is None:
                    into[key] = list(measures)
                else:
                    for i, m in enumerate(measures):
                        found[i] += m


def load(engine: Engine, count: int) -> str:
    """Store `count` closed export inventories and their roll-ups; returns one seller's code."""
    sellers = _sellers()
    rng = random.Random(11)
    start = datetime(NOW.year, 1, 1, tzinfo=CST)
    span = int((NOW - start).total_seconds()) - 3 * 86400
    rollup = Rollup()
    with engine.begin() as c:
        c.execute(insert(EnterpriseRow), [
            {k: s[k] for k in ("code", "name", "roles", "credit_class", "county", "park")}
            for s in sellers
        ])  # fmt: skip
    chunk = 20_000
    for first in range(1, count + 1, chunk):
        messages: list[dict[str, Any]] = []
        documents: list[dict[str, Any]] = []
        inventories: list[dict[str, Any]] = []
        for i in range(first, min(first + chunk, count + 1)):
            s = sellers[rng.randrange(SELLERS)]
            country, mode = rng.choice(s["countries"]), rng.choice(s["modes"])
            price = f"{rng.randint(500, 300_000) / 100:.2f}"
            gcode = CHAPTER_OF[s["county"]] + "01000000"
            body = {
                "InventoryHead": {"country": country, "tradeMode": mode, "ebcCode": s["code"]},
                "InventoryList": [{"gnum": "1", "gcode": gcode, "totalPrice": price,
                                   "currency": "142"}],
            }  # fmt: skip
            declared = start + timedelta(seconds=rng.randrange(span))
            concluded = declared + timedelta(seconds=rng.choice([2, 5, 30, 600]))
            released = concluded + timedelta(seconds=rng.randrange(600, 86400))
            closed = released + timedelta(seconds=rng.randrange(3600, 2 * 86400))
            guid = f"{(i - 1) // PER_MESSAGE:08d}-0000-4000-8000-000000000000"
            if (i - 1) % PER_MESSAGE == 0:
                messages.append({"guid": guid, "sha256": "0" * 64, "message_type": "CEB603",
                                 "cop_code": s["code"], "received_at": declared,
                                 "record_count": PER_MESSAGE, "raw": b""})  # fmt: skip
            documents.append({"id": i, "message_guid": guid, "record_guid": f"r{i}",
                              "message_type": "CEB603", "kind": "inventory", "direction": "E",
                              "doc_key": f"k{i}", "order_key": f"o{i}", "logistics_key": f"l{i}",
                              "cop_code": s["code"], "parties": s["code"], "app_status": "2",
                              "status": "899", "version": 1, "received_at": declared,
                              "body": body})  # fmt: skip
            inventories.append({"id": i, "document_id": i, "invt_no": f"46002026E{i:09d}",
                                "direction": "E", "order_key": f"o{i}", "logistics_key": f"l{i}",
                                "order_no": f"o{i}", "ebp_code": s["code"], "ebc_code": s["code"],
                                "agent_code": s["code"], "logistics_code": "L", "logistics_no":
                                f"l{i}", "buyer_id_number": "", "trade_mode": mode,
                                "statistics_flag": "", "status": "899", "first_doc_at": declared,
                                "updated_at": closed, "released_at": released})  # fmt: skip
            dims = rules.dimensions_of(
                body, direction="E", trade_mode=mode, ebc_code=s["code"],
                county=s["county"], park=s["park"] or "",
            )  # fmt: skip
            moves = (("", "120", declared), ("120", "399", concluded),
                     ("399", "800", released), ("800", "899", closed))  # fmt: skip
            for before, after, at in moves:
                events = rules.events_of(before, after, (), dims.value_fen)
                latency = int((at - declared).total_seconds())
                rollup.add(
                    rules.rollup_rows(
                        dims, events, day=rules.day_of(at), stripe=i % STRIPES,
                        latency_seconds=latency,
                    )
                )  # fmt: skip
        with engine.begin() as c:
            if messages:
                c.execute(insert(MessageRow), messages)
            c.execute(insert(DocumentRow), documents)
            c.execute(insert(InventoryRow), inventories)
    with engine.begin() as c:
        for name, table in (("daily", DailyRow), ("zone", ZoneDailyRow),
                            ("latency", LatencyRow), ("refusals", RefusalRow)):  # fmt: skip
            t: Table = table.__table__  # type: ignore[assignment]
            cols = [col.name for col in t.primary_key.columns] + [
                col.name for col in t.columns if not col.primary_key
            ]
            rows = [dict(zip(cols, (*k, *m), strict=True)) for k, m in rollup.tables[name].items()]
            for at in range(0, len(rows), 50_000):
                c.execute(insert(t), rows[at : at + 50_000])
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")
    return str(sellers[0]["code"])


def time_requests(client: TestClient, key: str, n: int) -> list[float]:
    headers = {"X-API-Key": key}
    assert client.get("/statistics/dashboard", headers=headers).status_code == 200
    times = []
    for _ in range(n):
        t = time.perf_counter()
        response = client.get("/statistics/dashboard", headers=headers)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    return times


def time_recorder(engine: Engine, moves: int) -> float:
    """Microseconds per `record_transition` of a release, on the loaded tables, one commit."""
    factory = make_sessionmaker(engine)
    with factory() as session:
        rows = session.scalars(select(InventoryRow).limit(moves)).all()
        docs = {d.id: d for d in session.scalars(select(DocumentRow).limit(moves))}
        t = time.perf_counter()
        for inv in rows:
            record_transition(
                session, inventory=inv, body=docs[inv.document_id].body, from_status="399",
                to_status="800", reasons=(), at=NOW, declared_at=NOW - timedelta(hours=3),
            )  # fmt: skip
        session.rollback()  # the figures stay as loaded
        return (time.perf_counter() - t) / len(rows) * 1e6


def figures(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    return (
        f"median {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms  max {ordered[-1]:7.1f} ms"
    )


def bench(url: str, count: int, requests: int) -> bool:
    engine = make_engine(url)
    try:
        upgrade(engine)
        t = time.perf_counter()
        seller = load(engine, count)
        loaded = time.perf_counter() - t
        with engine.connect() as c:
            stored = c.execute(
                select(func.count()).select_from(InventoryRow).where(InventoryRow.status == "899")
            ).scalar_one()
            cube = c.execute(select(func.count()).select_from(DailyRow)).scalar_one()
            zone = c.execute(select(func.count()).select_from(ZoneDailyRow)).scalar_one()
        with unit_of_work(make_sessionmaker(engine)) as session:
            officer = auth.add_user(session, AgencyRole.STATISTICS, "bench", None)[1]
            own = auth.add_user(session, AgencyRole.ENTERPRISE, "seller", seller)[1]
        print(f"{engine.dialect.name}: {stored:,} closed export inventories stored "
              f"(load {loaded:.0f} s); roll-ups: rec_daily {cube:,} rows, "
              f"rec_zone_daily {zone:,} rows")  # fmt: skip
        ok = True
        with TestClient(create_app(database_url=url, clock=FixedClock(NOW))) as client:
            for label, key in (("zone (statistics officer)", officer), ("one seller", own)):
                times = time_requests(client, key, requests)
                ok = ok and max(times) < MUST_MS
                print(
                    f"  dashboard {label:26s} {figures(times)}  "
                    f"(must < {MUST_MS:.0f} ms: {'ok' if max(times) < MUST_MS else 'MISSED'})"
                )
        print(f"  record_transition (release, loaded tables): {time_recorder(engine, 2000):.0f} µs")
        return ok
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--inventories", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    ok = True
    if args.db in ("sqlite", "both"):
        with sqlite_database() as url:
            ok = bench(url, args.inventories, args.requests) and ok
    if args.db in ("postgres", "both"):
        with postgres_database() as url:
            ok = bench(url, args.inventories, args.requests) and ok
    print("PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
