"""Where the time of ingest goes: `release.service.submit_messages` in this process, no HTTP.

The zone is filed as in bench_clearance.py (a SQLite file, or a throwaway PostgreSQL cluster)
and the same signed traffic is made before any timing; the first `--profile` messages, cut
into the same requests of 100 as the throughput run, are submitted each in its own transaction:
once plain on a fresh database (the rate of one ingest thread), once under cProfile on another
(slower; the top `--top` entries by own time and by cumulative time, and what `submit_messages`
calls).

    .venv/bin/python bench/profile_clearance.py [--db sqlite|postgres|both] [--profile 5000]
        [--parcels 10000] [--top 30]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from datetime import datetime

import bench_clearance as bc
from singlewindow.db.session import make_engine, make_sessionmaker, unit_of_work
from singlewindow.demo.runner import make_keys
from singlewindow.demo.zone import build_zone
from singlewindow.kit.clock import CST
from singlewindow.kit.collector import settle_after_start
from singlewindow.release import service as release_service
from singlewindow.release.context import build_context


def profile(db: str, args: argparse.Namespace) -> None:
    """Where the time of ingest goes: `submit_messages` in this process (no HTTP), the same
    requests of 100 as the throughput run, each in its own transaction; once plain on a fresh
    database (the rate), once under cProfile on another (the breakdown)."""
    zone = build_zone()
    now = datetime.now(CST)
    keys = bc._SIGNERS = make_keys(zone, now)  # the signing pool forks with them
    messages = bc.month_messages(zone, keys, *bc.month_before(now.year, now.month), args.parcels)
    requests = bc.requests_of(messages[: args.profile])
    n = sum(len(docs) for _, docs in requests)
    profiler = cProfile.Profile()
    for profiled in (False, True):
        database = bc.sqlite_database() if db == "sqlite" else bc.postgres_database()
        with database as url:
            bc.file_zone(url, zone, keys)
            engine = make_engine(url)
            factory = make_sessionmaker(engine)
            with unit_of_work(factory) as session:
                ctx = build_context(session)
            payloads = [(cop, [d.encode() for d in docs]) for cop, docs in requests]
            settle_after_start()  # as serve and worker do
            began = time.perf_counter()
            border = 0.0
            if profiled:
                profiler.enable()
            for cop, docs in payloads:
                started = time.perf_counter()
                decoded = release_service.decode_batch(docs, ctx)
                border += time.perf_counter() - started
                with unit_of_work(factory) as session:
                    release_service.submit_decoded(
                        session, ctx, decoded, submitter=cop, actor="bench"
                    )
            profiler.disable()
            took = time.perf_counter() - began
            engine.dispose()
        label = "under cProfile" if profiled else "plain, one thread"
        print(
            f"[{db}] in-process submit_messages, {label}: {n / took:,.0f} messages/s; "
            f"per message {1000 * border / n:.3f} ms border (decode, signature, codes), "
            f"{1000 * (took - border) / n:.3f} ms judging and storing (the locked part)"
        )
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(f"--- top {args.top} by {order} ---")
        text = out.getvalue()
        print(text[text.index("   ncalls") :].rstrip())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_callees(
        r"service.py:\d+\(submit_decoded\)"
    )
    print("--- what submit_decoded calls ---")
    text = out.getvalue()
    print(text[text.index("Function") :].rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--profile",
        type=int,
        default=5000,
        metavar="N",
        help="messages submitted (the first N of the month)",
    )
    parser.add_argument("--parcels", type=int, default=10_000, help="month made (60 %% import)")
    parser.add_argument("--top", type=int, default=30, help="profile entries to print")
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    for db in dbs:
        profile(db, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
