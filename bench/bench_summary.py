"""Summary declaration at scale: summarise one large seller's month out of 1,000,000 closed
export inventories.

The inventories (documents with realistic CEB603 records, inventories, their 899 transitions)
are bulk-inserted straight into the tables (SQLite executemany, PostgreSQL COPY), not sent over
HTTP: the clearance path has its own benchmark. Sellers: one large seller holds `--share` of the
inventories, the rest are spread over 19 others; closings are spread evenly over `--months`
months from 2026-08; 5 % carry statisticsFlag A. Then, timed, `summary.service.run_month`
summarises the large seller's first month in one unit of work (commit included), and the
result is checked (every chosen inventory in exactly one declaration).

Target: < 30 s for the month, on SQLite and on PostgreSQL.

    .venv/bin/python bench/bench_summary.py [--db sqlite|postgres|both] [--inventories 1000000]
        [--share 0.3] [--months 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from singlewindow.db.migrate import upgrade
from singlewindow.db.session import make_engine, make_sessionmaker, unit_of_work
from singlewindow.kit.clock import CST
from singlewindow.summary import service
from singlewindow.summary.tables import SummaryItemRow

LARGE = "4110960001"
SELLERS = [LARGE] + [f"41109600{n:02d}" for n in range(2, 21)]
HS = ["6704200000", "6704110000", "6703000000", "0409000000", "6910100000", "4202220000"]
COUNTRIES = ["502", "304", "303", "116", "133", "601"]
PORTS = ["4604", "4601", "4600"]
START = datetime(2026, 8, 1, tzinfo=CST)
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=CST)


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="swsum") as tmp:
        yield f"sqlite:///{tmp}/bench.db"


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL cluster: initdb refuses root, so it runs as the postgres user;
    the socket lives in the temp directory; durability off, as in the tests."""
    pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    tmp = Path(tempfile.mkdtemp(prefix="swsumpg"))
    shutil.chown(tmp, "postgres", "postgres")
    as_user = ["runuser", "-u", "postgres", "--"]
    data = tmp / "data"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = False
    try:
        subprocess.run(
            [
                *as_user,
                str(pgbin / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB"
        )
        subprocess.run(
            [
                *as_user,
                str(pgbin / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(tmp / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
            check=True,
            capture_output=True,
        )
        started = True
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                [*as_user, str(pgbin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(tmp, ignore_errors=True)


def _record(i: int, ebc: str, rnd: random.Random) -> dict[str, Any]:
    invt_no = f"4604{2026}E{i:09d}"
    lines = []
    for g in range(1, rnd.choice((1, 1, 2, 3)) + 1):
        qty = rnd.randint(1, 5)
        price = rnd.choice(("19.9", "35", "88.5", "120"))
        lines.append(
            {
                "gnum": str(g),
                "itemNo": f"SKU{rnd.randint(1, 500):04d}",
                "itemName": f"款式{rnd.randint(1, 8)}",
                "gcode": rnd.choice(HS),
                "gname": "假发",
                "gmodel": "长30cm 真人发",
                "barCode": "无",
                "country": rnd.choice(COUNTRIES),
                "currency": "142",
                "qty": str(qty),
                "qty1": f"{qty * 0.3:.2f}",
                "unit": "007",
                "unit1": "035",
                "price": price,
                "totalPrice": str(round(qty * float(price), 2)),
            }
        )
    return {
        "InventoryHead": {
            "guid": f"{i:08X}-0000-4000-8000-000000000000",
            "appType": "1",
            "appTime": "20260805100000",
            "appStatus": "2",
            "customsCode": "4604",
            "ebpCode": "4110960099",
            "ebpName": "许昌跨境平台",
            "orderNo": f"O{i:012d}",
            "logisticsCode": "4110960098",
            "logisticsName": "许昌物流",
            "logisticsNo": f"L{i:012d}",
            "copNo": f"C{i:012d}",
            "invtNo": invt_no,
            "ieFlag": "E",
            "portCode": rnd.choice(PORTS),
            "ieDate": "20260805",
            "statisticsFlag": "A" if rnd.random() < 0.05 else "B",
            "agentCode": ebc,
            "agentName": "许昌报关行",
            "ebcCode": ebc,
            "ebcName": "许昌发制品",
            "ownerCode": ebc,
            "ownerName": "生产企业",
            "tradeMode": "9610",
            "trafMode": rnd.choice(("5", "5", "2")),
            "country": rnd.choice(COUNTRIES),
            "POD": "USNYC",
            "freight": "0",
            "fCurrency": "142",
            "fFlag": "3",
            "insuredFee": "0",
            "iCurrency": "142",
            "iFlag": "3",
            "wrapType": "2",
            "packNo": "1",
            "grossWeight": "0.5",
            "netWeight": "0.3",
        },
        "InventoryList": lines,
    }


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def generate(n: int, share: float, months: int) -> Iterator[tuple[tuple[Any, ...], ...]]:
    """(document, inventory, transition) rows with explicit ids, in id order. Records come from
    a pool of 4,096 random shapes whose JSON text has the identifiers put in per row (json.dumps
    per row would make generation, not the database, the cost of loading)."""
    rnd = random.Random(20261120)
    pool = []
    for k in range(4096):
        record = _record(0, "@EBC@", rnd)
        head = record["InventoryHead"]
        head["guid"] = "@ID8@-0000-4000-8000-000000000000"
        for name, prefix in (("orderNo", "O"), ("logisticsNo", "L"), ("copNo", "C")):
            head[name] = f"{prefix}@ID12@"
        head["invtNo"] = "46042026E@ID9@"
        pool.append((json.dumps(record, ensure_ascii=False), head["statisticsFlag"], k))
    span = (START.replace(month=START.month + months) - START).total_seconds()
    for i in range(1, n + 1):
        ebc = LARGE if rnd.random() < share else SELLERS[1 + i % (len(SELLERS) - 1)]
        template, flag, _ = pool[rnd.getrandbits(12)]
        id12, id9 = f"{i:012d}", f"{i:09d}"
        body = (
            template.replace("@EBC@", ebc)
            .replace("@ID8@", f"{i:08X}")
            .replace("@ID12@", id12)
            .replace("@ID9@", id9)
        )
        invt_no, order_no, logistics_no = f"46042026E{id9}", f"O{id12}", f"L{id12}"
        closed = START + timedelta(seconds=span * (i - 0.5) / n)
        order_key = f"4110960099|{order_no}"
        logistics_key = f"4110960098|{logistics_no}"
        doc = (
            i, "BENCH", f"{i:08X}-0000-4000-8000-000000000000", "CEB603", "inventory", "E",
            order_key, order_key, logistics_key, ebc, ebc, "2", "899", 1,
            closed - timedelta(days=2), body,
        )  # fmt: skip
        inv = (
            i, i, invt_no, "E", order_key, logistics_key, order_no, "4110960099", ebc, ebc,
            "4110960098", logistics_no, "", "9610", flag, "899", closed - timedelta(days=2),
            closed, closed - timedelta(days=1),
        )  # fmt: skip
        tr = (i, i, closed, "800", "899", "bench", "[]", '{"departure": true}')
        yield doc, inv, tr


DOC_COLS = (
    "id, message_guid, record_guid, message_type, kind, direction, doc_key, order_key, "
    "logistics_key, cop_code, parties, app_status, status, version, received_at, body"
)
INV_COLS = (
    "id, document_id, invt_no, direction, order_key, logistics_key, order_no, ebp_code, "
    "ebc_code, agent_code, logistics_code, logistics_no, buyer_id_number, trade_mode, "
    "statistics_flag, status, first_doc_at, updated_at, released_at"
)
TR_COLS = "id, inventory_id, at, from_status, to_status, actor, reasons, facts"


def _message_row() -> tuple[Any, ...]:
    return ("BENCH", "0" * 64, "CEB603", LARGE, START, 1, b"bench")


def load_sqlite(path: str, n: int, share: float, months: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    msg = _message_row()
    conn.execute(
        "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)",
        (*msg[:4], _stamp(msg[4]), msg[5], msg[6]),
    )
    docs: list[tuple[Any, ...]] = []
    invs: list[tuple[Any, ...]] = []
    trs: list[tuple[Any, ...]] = []

    def flush() -> None:
        conn.executemany(f"INSERT INTO documents ({DOC_COLS}) VALUES ({','.join('?' * 16)})", docs)
        conn.executemany(
            f"INSERT INTO inventories ({INV_COLS}) VALUES ({','.join('?' * 19)})", invs
        )
        conn.executemany(
            f"INSERT INTO inventory_transitions ({TR_COLS}) VALUES ({','.join('?' * 8)})", trs
        )
        docs.clear(), invs.clear(), trs.clear()

    for doc, inv, tr in generate(n, share, months):
        docs.append((*doc[:14], _stamp(doc[14]), doc[15]))
        invs.append((*inv[:16], _stamp(inv[16]), _stamp(inv[17]), _stamp(inv[18])))
        trs.append((tr[0], tr[1], _stamp(tr[2]), *tr[3:]))
        if len(docs) >= 20_000:
            flush()
    flush()
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def load_postgres(url: str, n: int, share: float, months: int) -> None:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO messages VALUES (%s, %s, %s, %s, %s, %s, %s)", _message_row())
        invs: list[tuple[Any, ...]] = []
        trs: list[tuple[Any, ...]] = []
        with cur.copy(f"COPY documents ({DOC_COLS}) FROM STDIN") as docs:
            for doc, inv, tr in generate(n, share, months):
                docs.write_row(doc)
                invs.append(inv)
                trs.append(tr)
        with cur.copy(f"COPY inventories ({INV_COLS}) FROM STDIN") as copy:
            for row in invs:
                copy.write_row(row)
        with cur.copy(f"COPY inventory_transitions ({TR_COLS}) FROM STDIN") as copy:
            for row in trs:
                copy.write_row(row)
        for table in ("documents", "inventories", "inventory_transitions"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {n})")
        conn.commit()
        conn.autocommit = True
        cur.execute("ANALYZE")


def run(kind: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()  # the loader opens its own connection; no pooled one may hold a lock
    started = time.perf_counter()
    if kind == "sqlite":
        load_sqlite(url.removeprefix("sqlite:///"), args.inventories, args.share, args.months)
    else:
        load_postgres(url, args.inventories, args.share, args.months)
    loaded = time.perf_counter() - started
    factory = make_sessionmaker(engine)
    month = START.strftime("%Y-%m")
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        summary = service.run_month(session, LARGE, month, now=NOW, actor="bench")
        sum_id, excluded = summary.id, len(summary.excluded)
    took = time.perf_counter() - started
    with factory() as session:
        items = session.scalar(select(func.count()).where(SummaryItemRow.summary_id == sum_id))
        placed = session.scalar(
            select(func.count()).where(
                SummaryItemRow.summary_id == sum_id, SummaryItemRow.declaration_id.is_not(None)
            )
        )
        decls = session.execute(
            text("SELECT count(*) FROM summary_declarations WHERE summary_id = :s"), {"s": sum_id}
        ).scalar_one()
        lines = session.execute(
            text(
                "SELECT count(*) FROM summary_lines l JOIN summary_declarations d "
                "ON d.id = l.declaration_id WHERE d.summary_id = :s"
            ),
            {"s": sum_id},
        ).scalar_one()
    engine.dispose()
    assert items == placed, (items, placed)
    return {
        "db": kind,
        "inventories": args.inventories,
        "load_s": round(loaded, 1),
        "load_rows_per_s": round(args.inventories / loaded),
        "month": month,
        "summarised": items,
        "left_out_A": excluded,
        "declarations": decls,
        "lines": lines,
        "summary_s": round(took, 2),
        "inventories_per_s": round((items or 0) / took),
        "target_s": 30,
        "within_target": took < 30,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--inventories", type=int, default=1_000_000)
    parser.add_argument("--share", type=float, default=0.3)
    parser.add_argument("--months", type=int, default=3)
    args = parser.parse_args(argv)
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    ok = True
    for kind in kinds:
        maker = sqlite_database() if kind == "sqlite" else postgres_database()
        with maker as url:
            result = run(kind, url, args)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        ok = ok and bool(result["within_target"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
