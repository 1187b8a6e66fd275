"""End-to-end clearance over HTTP: signed CEB messages in, receipts with verdicts out.

A fresh database (SQLite file, or a throwaway PostgreSQL cluster this script starts and stops)
gets the demo's Xuchang zone with an RSA certificate and an API key per enterprise, filed
through the services as the demo runner does. The signed traffic (demo `plan_month` and
`iter_messages`: import and export parcels, 4 documents each, one business record per message)
is made before any timing. Then `singlewindow serve` runs as its own process and:

1. throughput: every message, in time order, 100 per request, each request one sender's
   messages, from `--threads` client threads (closed loop) → messages/s, parcels/s
   (inventories decided). Six by default: each server process must find a request waiting
   when it finishes one, or it idles for the client's round trip; with three clients on two
   processes PostgreSQL cleared 1,300–1,460 msg/s against 1,550–1,660 with six, at the same
   moment of the machine (SQLite, whose processes wait on nothing, cleared the same);
2. latency: open-loop at `--offered` messages/s (a request of 100 every 100 ms for 1,000/s)
   for `--seconds` on fresh traffic → p50/p99 from the planned send time to the receipts;
3. baseline, same run, one core: bare `lxml.etree.fromstring` + RSA verification
   (`verify_document`) of the same messages → messages/s, and the HTTP figure's ratio to it;
   then the same work on every core at once (one process per core), which says what a second
   core adds for this kind of work on this machine.

Must: >= 1,500 messages/s sustained and p99 < 100 ms at 1,000 messages/s offered.
Goal: 5,000 messages/s. Client and server share this machine's cores.

    .venv/bin/python bench/bench_clearance.py [--db sqlite|postgres|both] [--parcels 10000]
        [--offered 1000] [--seconds 20] [--threads 6] [--workers N] [--baseline 5000]

Server processes (`--workers`): one per core on SQLite, one more on PostgreSQL, whose processes
also wait for the database's round trips and for each other's parcel locks. Measured in turns
(2026-11-27, three pairs each, defaults otherwise): PostgreSQL with 3 processes cleared
1,251 · 1,469 · 1,628 msg/s (p99 733 · 254 · 166 ms) against 1,119 · 1,360 · 1,222 (p99
1,041 · 281 · 221) with 2; SQLite with 3 cleared a little more (2,144 · 1,992 against 1,997 ·
1,976 · 2,140) but with a longer tail (p99 188 · 204 against 130 · 157 · 242), so it keeps 2.

In-process profile of ingest: profile_clearance.py. profile_clearance, bench_workers and soak
import the helpers here (databases, zone filing, signed traffic, server, closed loop).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
from lxml import etree
from sqlalchemy import func, select

from singlewindow.auth import service as auth_service
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.migrate import engine_for_command
from singlewindow.db.session import URL_ENV, make_engine, make_sessionmaker, unit_of_work
from singlewindow.declaration.tables import InventoryRow
from singlewindow.demo.runner import DemoKeys, make_keys, tax_adapter
from singlewindow.demo.traffic import DemoMessage, iter_messages, plan_month
from singlewindow.demo.zone import Zone, build_zone, zone_registry_lines
from singlewindow.kit.clock import CST
from singlewindow.message.signing import sign_document, verify_document
from singlewindow.registry import service as registry_service
from singlewindow.release.context import load_reference_data
from singlewindow.release.service import INVENTORY_TYPES
from singlewindow.tax import rules as tax_rules

MUST_RATE, GOAL_RATE, MUST_P99_MS = 1500, 5000, 100.0
BATCH = 100
BIN = Path(sys.executable).parent
# Batch messages (CEB507 arrival, CEB509 departure) carry many parcels; the benchmark's messages
# carry one business record each.
SKIPPED_TYPES = (b"CEB507Message", b"CEB509Message")
WAITING = "120"


# -- databases ------------------------------------------------------------------------------
@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="swbench") as tmp:
        yield f"sqlite:///{tmp}/bench.db"


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway cluster (scripts/pg-throwaway.sh in Python): initdb refuses root, so it runs
    as the postgres user; the socket lives in the temp directory; durability off, as in tests."""
    pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    tmp = Path(tempfile.mkdtemp(prefix="swpg"))
    as_user: list[str] = []
    if os.getuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = tmp / "data"
    started = False
    try:
        run(
            [
                *as_user,
                *(str(pgbin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"),
                *("--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"),
            ]
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        run(
            [
                *as_user,
                *(str(pgbin / "pg_ctl"), "-D", str(data), "-l", str(tmp / "server.log")),
                *("-w", "-t", "60", "-o", options, "start"),
            ]
        )
        started = True
        run([str(pgbin / "createdb"), "-h", str(tmp), "-p", str(port), "-U", "postgres", "sw"])
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/sw"
        run([str(BIN / "singlewindow"), "db", "upgrade"], env={**os.environ, URL_ENV: url})
        yield url
    finally:
        if started:
            subprocess.run(
                [*as_user, str(pgbin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(tmp, ignore_errors=True)


def run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({done.returncode}): {done.stdout}{done.stderr}")


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the zone and its traffic ---------------------------------------------------------------
@dataclass
class Traffic:
    throughput: list[DemoMessage]
    latency: list[DemoMessage]
    api_keys: dict[str, str]


def file_zone(url: str, zone: Zone, keys: DemoKeys) -> dict[str, str]:
    """The one filing and an API key per enterprise, straight through the services."""
    engine = engine_for_command(url, loaders=[load_reference_data])
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            registry_service.import_records(
                session, zone_registry_lines(zone, certificates=keys.certificates)
            )
            return {
                e.code: auth_service.add_user(session, AgencyRole.ENTERPRISE, e.name, e.code)[1]
                for e in zone.enterprises
            }
    finally:
        engine.dispose()


_SIGNERS: DemoKeys | None = None  # set before the signing pool forks


def _sign(item: tuple[datetime, str, bytes]) -> DemoMessage:
    assert _SIGNERS is not None
    when, cop, data = item
    return DemoMessage(when, cop, sign_document(data, _SIGNERS.signers[cop]))


def month_messages(
    zone: Zone, keys: DemoKeys, year: int, month: int, parcels: int
) -> list[DemoMessage]:
    """A month of parcels (60 % import, as the demo), signed RSA-SHA1 on every core."""
    imports = parcels * 6 // 10
    plan = plan_month(
        zone,
        year=year,
        month=month,
        import_parcels=imports,
        export_parcels=parcels - imports,
        tax=tax_adapter(tax_rules.load_default_rates()),
    )
    # Identity "signature": appStatus 2 (declared) as a signed message says; signed below.
    unsigned = [
        (m.when, m.cop_code, m.data)
        for m in iter_messages(zone, plan, sign=lambda data, _cop: data)
        if not any(t in m.data[:200] for t in SKIPPED_TYPES)
    ]
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        return pool.map(_sign, unsigned, chunksize=256)


def requests_of(messages: Sequence[DemoMessage]) -> list[tuple[str, list[str]]]:
    """Full requests of one sender's messages in time order: a sender's request leaves when its
    100th message is due; what is left goes at the end."""
    pending: dict[str, list[str]] = {}
    out: list[tuple[str, list[str]]] = []
    for m in messages:
        docs = pending.setdefault(m.cop_code, [])
        docs.append(m.data.decode("utf-8"))
        if len(docs) == BATCH:
            out.append((m.cop_code, docs))
            pending[m.cop_code] = []
    out.extend((cop, docs) for cop, docs in pending.items() if docs)
    return out


# -- CPU ------------------------------------------------------------------------------------
def cpu_seconds(procs: Sequence[psutil.Process]) -> float:
    """User + system CPU of the processes (0 for one that has gone)."""
    total = 0.0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = proc.cpu_times()
            total += t.user + t.system
    return total


def serving_processes() -> list[psutil.Process]:
    """`singlewindow serve` started by this process and its server processes."""
    found: list[psutil.Process] = []
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.NoSuchProcess):
            if "serve" in " ".join(child.cmdline()):
                found += [child, *child.children(recursive=True)]
    return found


def database_processes(url: str) -> list[psutil.Process]:
    """A PostgreSQL cluster's postmaster (listening on the URL's port) and its backends; none
    for SQLite (its work is done inside the server processes)."""
    if not url.startswith("postgresql"):
        return []
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and f"-p {port}" in " ".join(cmdline):
            return [proc, *proc.children()]
    return []


@dataclass
class CpuMeter:
    """CPU seconds used by the server processes, the database and this load generator."""

    url: str
    begun: tuple[float, float, float] = (0.0, 0.0, 0.0)
    used: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def _now(self) -> tuple[float, float, float]:
        me = os.times()
        return (
            cpu_seconds(serving_processes()),
            cpu_seconds(database_processes(self.url)),
            me.user + me.system,
        )

    def __enter__(self) -> CpuMeter:
        self.begun = self._now()
        return self

    def __exit__(self, *_: object) -> None:
        now = self._now()
        self.used = (now[0] - self.begun[0], now[1] - self.begun[1], now[2] - self.begun[2])

    def per_message_ms(self, messages: int) -> dict[str, float]:
        server_ms, database_ms, client_ms = (1000 * x / messages for x in self.used)
        total = server_ms + database_ms + client_ms
        return {
            "server_cpu_ms": round(server_ms, 3),
            "database_cpu_ms": round(database_ms, 3),
            "client_cpu_ms": round(client_ms, 3),
            # What the cores could clear if they did nothing but this, never idle.
            "cpu_bound_per_s": round((os.cpu_count() or 1) * 1000 / total) if total else 0,
        }


# -- the server -----------------------------------------------------------------------------
@contextlib.contextmanager
def server(url: str, workers: int) -> Iterator[str]:
    """`singlewindow serve` in its own process; its log goes to a file (a pipe nobody reads
    would fill and stall it) whose tail is printed if it had anything to say."""
    port = free_port()
    env = {**os.environ, URL_ENV: url}
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [str(BIN / "singlewindow"), "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        address = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{address}/health", timeout=1).status_code == 200:
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not come up")
                time.sleep(0.1)
            yield address
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.seek(0)
            said = log.read().decode(errors="replace")
            if said.strip():
                print(f"server log (last 3,000 characters):\n{said[-3000:]}", file=sys.stderr)


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # seconds, one per request
    # The same latencies by the request's kind (`request_kind`), for the latency run.
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    receipts: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    failed_requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(
        self,
        client: httpx.Client,
        key: str,
        body: bytes,
        since: float | None = None,
        kind: str = "",
    ) -> None:
        began = time.perf_counter() if since is None else since
        try:
            response = client.post(
                "/messages/batch",
                content=body,
                headers={"X-API-Key": key, "Content-Type": "application/json"},
            )
        except httpx.HTTPError:
            response = None
        took = time.perf_counter() - began
        with self.lock:
            self.latencies.append(took)
            if kind:
                self.by_kind.setdefault(kind, []).append(took)
            if response is None or response.status_code != 200:
                self.failed_requests += 1
                if response is not None and self.failed_requests <= 3:
                    print(f"request refused {response.status_code}: {response.text[:300]}")
                return
            receipts = response.json()["receipts"]
            self.receipts += len(receipts)
            self.statuses.update(r["returnStatus"] for r in receipts)


# The root elements of the inventory types the clearance service counts (CEB621, CEB603).
INVENTORY_ROOTS = tuple(f"{t}Message" for t in sorted(INVENTORY_TYPES))
INVENTORY_KIND, OTHER_KIND = "inventories", "other"


def request_kind(docs: Sequence[str]) -> str:
    """`inventories` for a request of nine tenths or more inventories (an agent's batch: the
    largest messages, and the ones that decide parcels), else `other`."""
    inventories = sum(1 for d in docs if any(root in d[:400] for root in INVENTORY_ROOTS))
    return INVENTORY_KIND if inventories * 10 >= len(docs) * 9 else OTHER_KIND


def encoded(requests: list[tuple[str, list[str]]]) -> list[tuple[str, bytes]]:
    """The request bodies, made before any timing as the messages were signed: a load
    generator's own JSON encoding is not the server's latency."""
    return [(cop, json.dumps({"messages": docs}).encode()) for cop, docs in requests]


def throughput(
    address: str, requests: list[tuple[str, list[str]]], keys: dict[str, str], threads: int
) -> tuple[float, Outcome]:
    """Closed loop: each thread takes the next request in time order as soon as it is free."""
    work: queue.Queue[tuple[str, bytes]] = queue.Queue()
    for r in encoded(requests):
        work.put(r)
    outcome = Outcome()

    def client_loop() -> None:
        with httpx.Client(base_url=address, timeout=60) as client:
            while True:
                try:
                    cop, body = work.get_nowait()
                except queue.Empty:
                    return
                outcome.post(client, keys[cop], body)

    workers = [threading.Thread(target=client_loop) for _ in range(threads)]
    began = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - began, outcome


def latency(
    address: str, requests: list[tuple[str, list[str]]], keys: dict[str, str], interval: float
) -> tuple[float, Outcome]:
    """Open loop: request i is due at start + i x interval whatever the earlier ones are doing;
    latency counts from when it was due, so a backlog shows instead of hiding."""
    bodies = encoded(requests)
    kinds = [request_kind(docs) for _, docs in requests]
    outcome = Outcome()
    local = threading.local()
    clients: list[httpx.Client] = []

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=address, timeout=60)
            clients.append(local.client)
        return local.client  # type: ignore[no-any-return]

    def send(cop: str, body: bytes, due: float, kind: str) -> None:
        outcome.post(client(), keys[cop], body, since=due, kind=kind)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        for i, ((cop, body), kind) in enumerate(zip(bodies, kinds, strict=True)):
            due = began + i * interval
            time.sleep(max(0.0, due - time.perf_counter()))
            pool.submit(send, cop, body, due, kind)
    elapsed = time.perf_counter() - began
    for c in clients:
        c.close()
    return elapsed, outcome


def decided_inventories(url: str) -> tuple[int, int]:
    """(decided, waiting) inventories: decided is every status but 120 (waiting for documents)."""
    engine = make_engine(url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            rows = session.execute(
                select(InventoryRow.status, func.count()).group_by(InventoryRow.status)
            ).all()
    finally:
        engine.dispose()
    waiting = sum(n for status, n in rows if status == WAITING)
    return sum(n for _, n in rows) - waiting, waiting


def _bare_on_core(core: int, docs: Sequence[bytes]) -> float:
    """Seconds of bare parse + RSA verification of `docs` on `core` alone."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})
    try:
        began = time.perf_counter()
        for data in docs:
            etree.fromstring(data)
            if not verify_document(data).valid:
                raise RuntimeError("a benchmark message does not verify")
        return time.perf_counter() - began
    finally:
        os.sched_setaffinity(0, before)


def baseline(messages: Sequence[DemoMessage], rounds: int = 3) -> tuple[float, float]:
    """Bare parse + RSA verification of the same messages, messages/s: on one core, and on
    every core at once (one process per core, each doing all of them). Best of `rounds`, the
    two taken in turns, since the machine's speed drifts. Set side by side they say what a
    second core adds for this kind of work on this machine (bench/README.md)."""
    cores = sorted(os.sched_getaffinity(0))
    docs = [m.data for m in messages]
    one = every = 0.0
    with multiprocessing.get_context("fork").Pool(len(cores)) as pool:
        for _ in range(rounds):
            one = max(one, len(docs) / _bare_on_core(cores[0], docs))
            took = pool.starmap(_bare_on_core, [(core, docs) for core in cores])
            every = max(every, len(cores) * len(docs) / max(took))
    return one, every


def default_workers(db: str) -> int:
    """One server process per core; on PostgreSQL one more, to use the time the others wait for
    the database (see the module's docstring for the figures)."""
    cores = os.cpu_count() or 1
    return cores + 1 if db == "postgres" else cores


def month_before(year: int, month: int) -> tuple[int, int]:
    return (year, month - 1) if month > 1 else (year - 1, 12)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- one database ---------------------------------------------------------------------------
def bench(db: str, args: argparse.Namespace) -> dict[str, Any]:
    global _SIGNERS
    zone = build_zone()
    now = datetime.now(CST)
    keys = make_keys(zone, now)
    _SIGNERS = keys
    # Throughput replays last month; the latency run gets the month before, so its parcels are
    # new to the platform.
    last = month_before(now.year, now.month)
    began = time.perf_counter()
    heavy = month_messages(zone, keys, *last, args.parcels)
    wanted = int(args.offered * args.seconds)
    light = month_messages(zone, keys, *month_before(*last), wanted // 4 * 5 // 4 + 50)
    made = time.perf_counter() - began
    print(f"[{db}] signed {len(heavy) + len(light):,} messages in {made:.1f} s (not timed)")
    base, base_all = baseline(heavy[: args.baseline])
    database = sqlite_database() if db == "sqlite" else postgres_database()
    workers = args.workers or default_workers(db)
    with database as url:
        api_keys = file_zone(url, zone, keys)
        with server(url, workers) as address:
            load_before = os.getloadavg()[0]
            with CpuMeter(url) as meter:
                elapsed, run1 = throughput(address, requests_of(heavy), api_keys, args.threads)
            decided, waiting = decided_inventories(url)
            interval = BATCH / args.offered
            lat_requests = requests_of(light)[: max(1, wanted // BATCH)]
            lat_elapsed, run2 = latency(address, lat_requests, api_keys, interval)
    sent2 = sum(len(d) for _, d in lat_requests)
    rate = len(heavy) / elapsed
    figures: dict[str, Any] = {
        "db": db,
        "messages": len(heavy),
        "requests": len(run1.latencies),
        "threads": args.threads,
        "server_workers": workers,
        "seconds": round(elapsed, 2),
        "messages_per_s": round(rate),
        "parcels_per_s": round(decided / elapsed),
        "inventories_decided": decided,
        "inventories_waiting": waiting,
        "receipts": run1.receipts,
        "receipts_complete": run1.receipts == len(heavy) and run2.receipts == sent2,
        "statuses": dict(sorted(run1.statuses.items())),
        "failed_requests": run1.failed_requests + run2.failed_requests,
        "request_p50_ms": round(statistics.median(run1.latencies) * 1000, 1),
        "offered_per_s": args.offered,
        "latency_messages": sent2,
        "achieved_per_s": round(sent2 / max(lat_elapsed, 1e-9)),
        "latency_receipts_complete": run2.receipts == sent2,
        "p50_ms": round(percentile(run2.latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(run2.latencies, 0.99) * 1000, 1),
        "max_ms": round(max(run2.latencies) * 1000, 1),
        **_by_kind(run2),
        **meter.per_message_ms(len(heavy)),
        "baseline_per_s": round(base),
        "ratio_to_baseline": round(rate / base, 3),
        "baseline_all_cores_per_s": round(base_all),
        "cores_scaling": round(base_all / base, 2),
        "load_average": round(load_before, 2),
    }
    return figures


def _by_kind(run: Outcome) -> dict[str, Any]:
    """The latency run's requests by kind: how many, their p99, and how many took the must's
    100 ms or more (the tail is the agents' requests of 100 inventories, bench/README.md)."""
    out: dict[str, Any] = {}
    for kind in (INVENTORY_KIND, OTHER_KIND):
        taken = run.by_kind.get(kind, [])
        out[f"{kind}_requests"] = len(taken)
        out[f"{kind}_p99_ms"] = round(percentile(taken, 0.99) * 1000, 1) if taken else 0.0
        out[f"{kind}_over_must"] = sum(1 for t in taken if t * 1000 >= MUST_P99_MS)
    return out


def report(rows: list[dict[str, Any]]) -> None:
    labels = [
        ("messages", "messages sent (throughput run)"),
        ("seconds", "wall time, s"),
        ("messages_per_s", f"messages/s (must {MUST_RATE:,}, goal {GOAL_RATE:,})"),
        ("parcels_per_s", "parcels/s (inventories decided)"),
        ("inventories_waiting", "inventories still waiting (120)"),
        ("receipts_complete", "every receipt came back"),
        ("request_p50_ms", "request p50 at full load, ms"),
        ("server_cpu_ms", "server CPU per message, ms"),
        ("database_cpu_ms", "database CPU per message, ms (PostgreSQL)"),
        ("client_cpu_ms", "load generator CPU per message, ms"),
        ("cpu_bound_per_s", "messages/s if every core were busy"),
        ("offered_per_s", "offered load, messages/s"),
        ("achieved_per_s", "achieved at that load, messages/s"),
        ("p50_ms", "p50 submission -> receipts, ms"),
        ("p99_ms", f"p99 submission -> receipts, ms (must < {MUST_P99_MS:.0f})"),
        ("inventories_requests", "  requests of 90 %+ inventories"),
        ("inventories_p99_ms", "  their p99, ms"),
        ("inventories_over_must", f"  of them at {MUST_P99_MS:.0f} ms or more"),
        ("other_requests", "  other requests"),
        ("other_p99_ms", "  their p99, ms"),
        ("other_over_must", f"  of them at {MUST_P99_MS:.0f} ms or more"),
        ("baseline_per_s", "baseline parse + RSA verify, 1 core, msg/s"),
        ("ratio_to_baseline", "HTTP messages/s / baseline"),
        ("baseline_all_cores_per_s", "the same on every core at once, msg/s"),
        ("cores_scaling", "  that over one core"),
    ]
    width = max(len(label) for _, label in labels)
    print()
    print(f"{'':<{width}}" + "".join(f" {r['db']:>12}" for r in rows))
    for key, label in labels:
        cells = "".join(f" {_cell(r[key]):>12}" for r in rows)
        print(f"{label:<{width}}{cells}")
    for r in rows:
        if r["failed_requests"] or not r["receipts_complete"]:
            print(
                f"{r['db']}: INVALID, {r['failed_requests']} requests failed or receipts are "
                "missing (see the server log above); the figures do not count"
            )
            continue
        ok_rate = r["messages_per_s"] >= MUST_RATE
        ok_p99 = r["p99_ms"] < MUST_P99_MS
        goal = "goal met" if r["messages_per_s"] >= GOAL_RATE else "goal not met"
        print(
            f"{r['db']}: throughput {'meets' if ok_rate else 'BELOW'} the must, "
            f"p99 {'meets' if ok_p99 else 'FAILS'} the must, {goal}; verdicts {r['statuses']}"
        )
    for r in rows:
        print(json.dumps({"bench": "clearance", **r}, ensure_ascii=False))


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--parcels", type=int, default=10_000, help="throughput run (60 %% import)")
    parser.add_argument("--offered", type=int, default=1000, help="messages/s in the latency run")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the latency run")
    parser.add_argument("--threads", type=int, default=6, help="client threads, throughput run")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="server processes (serve); default one per core, one more on PostgreSQL",
    )
    parser.add_argument("--baseline", type=int, default=5000, help="messages in the baseline")
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} "
        "(client and server share them; other work skews the figures)"
    )
    rows = [bench(db, args) for db in dbs]
    report(rows)
    return 0 if all(not r["failed_requests"] and r["receipts_complete"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
