"""Where the time of ingest goes: `release.service.submit_messages` in this process, no HTTP.

The zone is filed as in bench_clearance.py (a SQLite file, or a throwaway PostgreSQL cluster)
and the same signed traffic is made before any timing; the first `--profile` messages, cut
into the same requests of 100 as the throughput run, are submitted each in its own transaction:
once plain on a fresh database (the rate of one ingest thread), once under cProfile on another
(slower; the top `--top` entries by own time and by cumulative time, and what `submit_messages`
calls). `--libraries` instead: the requests of 100 inventories on SQLite, without a profiler,
and the share of their time spent inside C libraries (`LibraryClock`).

    .venv/bin/python bench/profile_clearance.py [--db sqlite|postgres|both] [--profile 5000]
        [--parcels 10000] [--top 30] [--libraries]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections import Counter
from datetime import datetime
from typing import Any

import orjson
from lxml import etree
from sqlalchemy import event

import bench_clearance as bc
from singlewindow.db.session import Checkpointer, make_engine, make_sessionmaker, unit_of_work
from singlewindow.demo.runner import make_keys
from singlewindow.demo.zone import build_zone
from singlewindow.kit.clock import CST
from singlewindow.kit.collector import settle_after_start
from singlewindow.message import MESSAGE_TYPES, signing
from singlewindow.message.schema import validator
from singlewindow.release import service as release_service
from singlewindow.release.context import build_context


def traffic(args: argparse.Namespace) -> tuple[Any, Any, list[tuple[str, list[str]]]]:
    """The zone, its signing keys, and the first `--profile` messages of a month of
    `--parcels` parcels cut into the throughput run's requests."""
    zone = build_zone()
    now = datetime.now(CST)
    keys = bc._SIGNERS = make_keys(zone, now)  # the signing pool forks with them
    messages = bc.month_messages(zone, keys, *bc.month_before(now.year, now.month), args.parcels)
    return zone, keys, bc.requests_of(messages[: args.profile])


def profile(db: str, args: argparse.Namespace) -> None:
    """Where the time of ingest goes: `submit_messages` in this process (no HTTP), the same
    requests of 100 as the throughput run, each in its own transaction; once plain on a fresh
    database (the rate), once under cProfile on another (the breakdown)."""
    zone, keys, requests = traffic(args)
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


class LibraryClock:
    """Wall time spent inside the C libraries of the clearance path, while `on`: lxml's parser
    and C14N, the schema validator, RSA verification, SQLite's statements and commits, orjson.
    Each is wrapped where the clearance code calls it; what is left of a request is Python."""

    def __init__(self, engine: Any) -> None:
        self.on = False
        self.spent: Counter[str] = Counter()
        self._wrap(etree, "fromstring", "lxml parse")
        self._wrap(etree, "tostring", "lxml C14N")
        self._wrap(signing, "verify_bytes", "RSA verify")
        self._wrap(orjson, "loads", "orjson")
        self._wrap(orjson, "dumps", "orjson")
        for message_type in MESSAGE_TYPES:
            holder = validator(message_type)
            self._wrap(holder.schema, "validate", "XSD validation", owner=holder, name="schema")
        started: list[float] = []

        def before(*_: Any) -> None:
            started.append(time.perf_counter())

        def after(*_: Any) -> None:
            self._add("SQLite statements", started.pop())

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        commit = engine.dialect.do_commit

        def do_commit(connection: Any) -> None:
            began = time.perf_counter()
            commit(connection)
            self._add("SQLite commit", began)

        engine.dialect.do_commit = do_commit

    def _add(self, label: str, began: float) -> None:
        if self.on:
            self.spent[label] += time.perf_counter() - began

    def _wrap(self, target: Any, attr: str, label: str, owner: Any = None, name: str = "") -> None:
        original = getattr(target, attr)

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._add(label, began)

        if owner is None:
            setattr(target, attr, timed)
        else:  # an lxml XMLSchema takes no attributes: its holder gets a stand-in
            object.__setattr__(owner, name, _Timed(target, timed))  # a frozen dataclass


class _Timed:
    def __init__(self, inner: Any, validate: Any) -> None:
        self._inner, self.validate = inner, validate

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def libraries(args: argparse.Namespace) -> None:
    """A request of 100 inventories (import CEB621 or export CEB603) on SQLite, in process: its
    border and judging, and how much of that is spent inside C libraries."""
    zone, keys, requests = traffic(args)
    with bc.sqlite_database() as url:
        bc.file_zone(url, zone, keys)
        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        with unit_of_work(factory) as session:
            ctx = build_context(session)
        clock = LibraryClock(engine)
        checkpointer = Checkpointer(engine).start()  # as a server process folds the WAL
        settle_after_start()
        border = judging = 0.0
        n = 0
        for cop, docs in requests:
            payloads = [d.encode() for d in docs]
            clock.on = len(docs) == bc.BATCH and all(
                b"CEB621Message" in p[:300] or b"CEB603Message" in p[:300] for p in payloads
            )
            began = time.perf_counter()
            decoded = release_service.decode_batch(payloads, ctx)
            middle = time.perf_counter()
            with unit_of_work(factory) as session:
                release_service.submit_decoded(session, ctx, decoded, submitter=cop, actor="bench")
            if clock.on:
                n += 1
                border += middle - began
                judging += time.perf_counter() - middle
            clock.on = False
        checkpointer.stop()
        engine.dispose()
    total = border + judging
    print(
        f"{n} requests of 100 inventories, in process on SQLite (the WAL folded in the "
        f"background, as in a server): {1000 * border / n:.1f} ms border, "
        f"{1000 * judging / n:.1f} ms judging and commit, a request"
    )
    inside = sum(clock.spent.values())
    for label, spent in clock.spent.most_common():
        print(f"  {label:<20} {1000 * spent / n:6.1f} ms")
    print(
        f"  {'in C libraries':<20} {1000 * inside / n:6.1f} ms ({inside / total:.0%}); "
        f"the rest, {1000 * (total - inside) / n:.1f} ms ({1 - inside / total:.0%}), is Python"
    )


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
    parser.add_argument(
        "--libraries",
        action="store_true",
        help="instead: a request of 100 inventories, how much of it is in C libraries (SQLite)",
    )
    args = parser.parse_args()
    if args.libraries:
        libraries(args)
        return 0
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    for db in dbs:
        profile(db, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
