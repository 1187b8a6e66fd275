"""Soak: a long replay on PostgreSQL through the queue intake with two workers, sampling memory
and throughput over time to show that neither drifts as the tables grow.

A throwaway PostgreSQL cluster (bench_clearance.postgres_database) gets the demo's Xuchang zone
with an RSA certificate per enterprise; a throwaway RabbitMQ node (bench_workers.broker) carries
a queue prefix of this run's own. Two `singlewindow worker` processes consume the intake queue
while a producer keeps it fed, for `--minutes` or until `--messages` have been cleared, whichever
comes first. Every `--interval` seconds one row goes to build/soak.json (rewritten each time, one
row per line); at the end build/soak.png shows throughput, each worker's RSS and the database
size against elapsed minutes, and a summary is printed.

The producer. Every message must carry a valid RSA signature over its own bytes (appStatus 2 is
verified against the filed certificate), and every parcel must carry keys never seen before, so
each message costs one RSA-2048 signature: about 0.6-0.7 ms of CPU with rendering, C14N and
publishing, against about 2 ms that the workers and PostgreSQL spend clearing it. Choices:
- templates, not planning: one demo month of `--template-parcels` parcels (60 % import, every
  document type the demo sends: 311/411/511/621, 303/403/505/603 and the batch messages
  507/509) is planned and rendered unsigned once, before the clock starts. Generation g of the
  traffic is those bytes with every unique value rewritten: message guids (first 8 hex digits =
  g), orderNo, logisticsNo, copNo, payTransactionId and payNo (a 4-character base-36 suffix = g)
  and each buyer's ID number (a fresh, valid resident ID per buyer and generation, the check
  character kept wrong where the demo planted a wrong one), so a generation clears exactly like
  the month it copies: the same verdicts, waits and refusals, and no buyer's annual quota fills
  up across generations;
- real signatures, made at run time by `--signers` separate processes at the workers' own
  priority, bounded by the queue: before the clock starts the intake is filled to `--depth`;
  afterwards each signer publishes in chunks of 200 only while the intake holds fewer than
  `--depth` messages, so it signs exactly as fast as the workers clear (its CPU per message is
  constant, so it lowers the curve without bending it) and the broker's memory stays bounded.
  Pre-signing the whole run is not possible: half an hour of traffic is millions of messages,
  gigabytes, and the same CPU spent up front. Running
  the signers in the SCHED_IDLE class (`--idle-producer`, CPU only when nothing else wants it)
  looks kinder but on a busy 2-core machine it starves: the intake runs dry, the workers clear
  small batches and the curve measures the producer, not the workers. Each sample records the
  producer's CPU and the intake depth; a depth of 0 means the workers waited for the producer.
- receipts: the workers publish a receipt per message to singlewindow.receipts.<copCode>;
  nobody reads them here, so the sampler purges those queues every interval (the broker's memory
  stays flat) and records how many it purged.

What is measured is what the workers cleared and committed, read from the database: initial
receipts (one per business record, and every message here carries one record). An exact count
over a growing table would itself slow down as it grows, so the sampler counts only the rows
above a watermark: ids at or below the highest id seen one interval earlier are final (a batch
commits in well under an interval), are counted once into a running total, and the watermark
moves up; each sample scans about two intervals' rows through the primary key. The total is
checked against a full count at the end.

On a machine shared with other work, messages/s follows the CPU share the workers get; the CPU
milliseconds the workers and PostgreSQL spend per message cleared (psutil, the postmaster and all
its backends) do not, so each sample records them too, with the rows PostgreSQL read by
sequential scans per table (pg_stat_user_tables): a lookup that scans a growing table shows
there long before it shows in the throughput.

    .venv/bin/python bench/soak.py [--minutes 30] [--messages 10000000] [--interval 10]
        [--workers 2] [--batch 100] [--depth 4000] [--signers 1] [--template-parcels 2000]
        [--warmup 60] [--idle-producer]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from multiprocessing.sharedctypes import Synchronized
from typing import IO, Any

import pika
import psutil
from sqlalchemy import text

import bench_clearance as bc
import bench_workers as bw
from singlewindow.db.session import make_engine
from singlewindow.demo.runner import make_keys
from singlewindow.demo.zone import build_zone
from singlewindow.kit.clock import CST
from singlewindow.queue.topology import AMQP_URL_ENV, PREFIX_ENV, Topology
from soak_samples import (
    MIB,
    Broker,
    ClearedCounter,
    cpu_seconds,
    db_size,
    find_postmaster,
    per_message_ms,
    pg_cpu_seconds,
    plot,
    seq_reads,
    summarise,
    write_rows,
)
from soak_traffic import make_templates, produce, set_traffic

BUILD = bw.ROOT / "build"


# -- the run --------------------------------------------------------------------------------
def soak(
    args: argparse.Namespace, amqp: str, url: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    began_setup = time.perf_counter()
    zone = build_zone()
    keys = make_keys(zone, datetime.now(CST))
    bc.file_zone(url, zone, keys)
    templates, buyers = make_templates(args.template_parcels)
    set_traffic(templates, buyers, keys)
    topology = Topology(prefix=f"soak{uuid.uuid4().hex[:8]}.singlewindow")
    connection = pika.BlockingConnection(pika.URLParameters(amqp))
    channel = connection.channel()
    topology.declare(channel)
    receipt_queues = sorted({topology.receipts(e.code) for e in zone.enterprises})
    for q in receipt_queues:
        channel.queue_declare(q, durable=True)
    broker = Broker(channel, topology, receipt_queues)
    print(
        f"zone filed, {len(templates):,} message templates ({args.template_parcels:,} parcels, "
        f"{len(buyers):,} buyers) in {time.perf_counter() - began_setup:.1f} s",
        flush=True,
    )

    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    published: Synchronized[int] = ctx.Value("q", 0)  # type: ignore[assignment]
    producers = [
        ctx.Process(
            target=produce,
            args=(
                k,
                args.signers,
                amqp,
                topology.intake,
                args.depth,
                args.messages,
                published,
                stop,
                args.idle_producer,
            ),
            daemon=True,
        )
        for k in range(args.signers)
    ]
    for p in producers:
        p.start()
    # Fill the queue before the workers start, so the clock does not time the first signatures.
    filled = time.perf_counter()
    while broker.depth(topology.intake) < min(args.depth, args.messages) * 9 // 10:
        if not all(p.is_alive() for p in producers):
            raise RuntimeError("a producer died while filling the queue")
        time.sleep(0.2)
    print(f"intake filled to {args.depth:,} in {time.perf_counter() - filled:.1f} s", flush=True)

    env = {**os.environ, bc.URL_ENV: url, AMQP_URL_ENV: amqp, PREFIX_ENV: topology.prefix}
    command = [str(bc.BIN / "singlewindow"), "worker", "--batch", str(args.batch)]
    # Closed in the finally below; a pipe nobody reads would fill up and stall a worker.
    logs: list[IO[bytes]] = [tempfile.TemporaryFile() for _ in range(args.workers)]  # noqa: SIM115
    workers = [subprocess.Popen(command, env=env, stdout=log, stderr=log) for log in logs]
    engine = make_engine(url)
    rows: list[dict[str, Any]] = []
    out = BUILD / "soak.json"
    try:
        while broker.depth(topology.intake) and _consumers(broker) < args.workers:
            _check_alive(workers, logs)
            time.sleep(0.05)
        counter = ClearedCounter()
        began = time.perf_counter()
        deadline = began + args.minutes * 60
        cleared = baseline = counter.total(engine)
        start_size = db_size(engine)
        w_procs = [psutil.Process(w.pid) for w in workers]
        p_procs = [psutil.Process(p.pid) for p in producers if p.pid is not None]
        w_cpu = [cpu_seconds([p]) for p in w_procs]
        p_cpu = cpu_seconds(p_procs)
        postmaster = find_postmaster(engine)
        pg_cpu = pg_cpu_seconds(postmaster)
        seq = seq_reads(engine)
        broker.purge_receipts()
        psutil.cpu_times_percent()
        last = began
        print(
            f"clock started: {args.workers} workers consuming; sampling every {args.interval:g} s "
            f"for {args.minutes:g} min or {args.messages:,} messages",
            flush=True,
        )
        while True:
            now = time.perf_counter()
            due = min(last + args.interval, deadline)
            time.sleep(max(0.0, due - now))
            _check_alive(workers, logs)
            now = time.perf_counter()
            total = counter.total(engine)
            w_now = [cpu_seconds([p]) for p in w_procs]
            p_now = cpu_seconds(p_procs)
            pg_now = pg_cpu_seconds(postmaster)
            seq_now = seq_reads(engine)
            span = now - last
            row = {
                "minutes": round((now - began) / 60, 3),
                "seconds": round(span, 2),
                "cleared": total - cleared,
                "cleared_total": total,
                "messages_per_s": round((total - cleared) / span, 1),
                "worker_rss_mib": [round(p.memory_info().rss / MIB, 1) for p in w_procs],
                "worker_cpu_pct": [
                    round(100 * (a - b) / span, 1) for a, b in zip(w_now, w_cpu, strict=True)
                ],
                "producer_cpu_pct": round(100 * (p_now - p_cpu) / span, 1),
                "postgres_cpu_pct": round(100 * (pg_now - pg_cpu) / span, 1),
                # CPU spent per message cleared: the measure a shared machine does not blur.
                "cpu_ms_per_msg": {
                    "workers": per_message_ms(sum(w_now) - sum(w_cpu), total - cleared),
                    "postgres": per_message_ms(pg_now - pg_cpu, total - cleared),
                    "producer": per_message_ms(p_now - p_cpu, total - cleared),
                },
                "machine_idle_pct": round(psutil.cpu_times_percent().idle, 1),
                "db_mib": round(db_size(engine) / MIB, 1),
                # Rows read by sequential scans in the interval, per table: a scan whose cost
                # grows with the table shows up here first.
                "seq_rows_read": {
                    t: n - seq.get(t, 0) for t, n in seq_now.items() if n > seq.get(t, 0)
                },
                "intake_depth": broker.depth(topology.intake),
                "dead": broker.depth(topology.dead),
                "receipts_purged": broker.purge_receipts(),
                "published": published.value,
                "load_1min": round(os.getloadavg()[0], 2),
            }
            rows.append(row)
            write_rows(out, rows)
            print(
                f"{row['minutes']:6.2f} min  {row['messages_per_s']:7.1f} msg/s  "
                f"total {total:>9,}  RSS {row['worker_rss_mib']} MiB  "
                f"DB {row['db_mib']:,.0f} MiB  depth {row['intake_depth']:,}",
                flush=True,
            )
            cleared, last, w_cpu, p_cpu, pg_cpu = total, now, w_now, p_now, pg_now
            seq = seq_now
            if now >= deadline or total >= args.messages:
                break
        elapsed = last - began
    finally:
        stop.set()
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=120)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait()
        for p in producers:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
        for log in logs:
            log.close()
    # With the workers stopped every row is final: two more readings settle the watermark, and
    # the running total must then equal a full count.
    counter.total(engine)
    settled = counter.total(engine)
    with engine.connect() as conn:
        exact = int(conn.execute(text("SELECT count(*) FROM receipts WHERE initial")).scalar_one())
        stored = int(conn.execute(text("SELECT count(*) FROM messages")).scalar_one())
        statuses = dict(
            conn.execute(
                text("SELECT status, count(*) FROM inventories GROUP BY status ORDER BY status")
            ).all()
        )
        end_size = db_size(engine)
        scans = conn.execute(
            text(
                "SELECT relname, seq_scan, seq_tup_read FROM pg_stat_user_tables "
                "WHERE seq_tup_read > 0 ORDER BY seq_tup_read DESC LIMIT 8"
            )
        ).all()
    engine.dispose()
    dead = broker.depth(topology.dead)
    for q in [topology.intake, topology.dead, *receipt_queues]:
        channel.queue_delete(q)
    connection.close()
    facts = {
        "elapsed_minutes": round(elapsed / 60, 2),
        "cleared_in_clock": cleared - baseline,
        "counter_matches_full_count": settled == exact,
        "receipts_initial_exact": exact,
        "messages_stored": stored,
        "published": published.value,
        "dead_lettered": dead,
        "db_start_mib": round(start_size / MIB, 1),
        "db_end_mib": round(end_size / MIB, 1),
        "inventories_by_status": {str(k): int(v) for k, v in statuses.items()},
        "seq_scans": {str(name): [int(n), int(rows)] for name, n, rows in scans},
    }
    return rows, facts


def _consumers(broker: Broker) -> int:
    frame = broker.channel.queue_declare(broker.topology.intake, durable=True, passive=True)
    return int(frame.method.consumer_count)


def _check_alive(workers: Sequence[subprocess.Popen[bytes]], logs: Sequence[IO[bytes]]) -> None:
    for w, log in zip(workers, logs, strict=True):
        if w.poll() is not None:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"worker {w.pid} exited with {w.returncode}:\n{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--messages", type=int, default=10_000_000)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100, help="worker --batch")
    parser.add_argument("--depth", type=int, default=4000, help="intake queue kept below this")
    parser.add_argument("--signers", type=int, default=1, help="producer signing processes")
    parser.add_argument("--template-parcels", type=int, default=2000)
    parser.add_argument(
        "--idle-producer", action="store_true", help="signers in SCHED_IDLE (see the docstring)"
    )
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds before RSS baseline")
    args = parser.parse_args()
    BUILD.mkdir(exist_ok=True)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}", flush=True)
    with bw.broker() as amqp, bc.postgres_database() as url:
        rows, facts = soak(args, amqp, url)
    if not rows:
        print("no sample was taken")
        return 1
    summary = summarise(rows, facts, args.warmup)
    plot(rows, summary, BUILD / "soak.png", args.workers)
    s = summary
    growth = ", ".join(
        f"worker {i + 1} {a:,.1f} -> {b:,.1f} MiB ({g:+.1f} %)"
        for i, (a, b, g) in enumerate(
            zip(
                s["worker_rss_after_warmup_mib"],
                s["worker_rss_end_mib"],
                s["worker_rss_growth_pct"],
                strict=True,
            )
        )
    )
    print()
    print(
        f"messages cleared           {s['cleared_in_clock']:,} in {s['elapsed_minutes']} min "
        f"({s['messages_per_s']:,.1f} msg/s)"
    )
    print(
        f"  in the database          {s['receipts_initial_exact']:,} initial receipts, "
        f"{s['messages_stored']:,} messages stored (with start-up and the last batches); "
        f"watermark count {'matches' if s['counter_matches_full_count'] else 'DOES NOT match'}"
    )
    print(f"mean msg/s, first fifth    {s['first_fifth_msg_s']:,.1f}")
    print(f"mean msg/s, last fifth     {s['last_fifth_msg_s']:,.1f}")
    print(f"ratio last/first           {s['last_over_first']}")
    print(
        f"CPU ms per message         {s['cpu_ms_per_msg_first_fifth']} -> "
        f"{s['cpu_ms_per_msg_last_fifth']} (workers + PostgreSQL, first -> last fifth; "
        f"ratio {s['cpu_last_over_first']})"
    )
    print(f"worker RSS (after {s['rss_after_warmup_minutes']} min -> end)  {growth}")
    print(f"DB size start -> end       {s['db_start_mib']:,.1f} -> {s['db_end_mib']:,.1f} MiB")
    print(
        f"producer CPU               {s['producer_cpu_pct_mean']} % of a core on average; "
        f"{s['samples_with_empty_intake']} of {len(rows)} samples found the intake empty"
    )
    print(f"dead-lettered              {s['dead_lettered']}")
    print(f"inventories by status      {s['inventories_by_status']}")
    print(f"sequential scans (rows)    {s['seq_scans']}")
    print("samples: build/soak.json, plot: build/soak.png")
    print(json.dumps({"bench": "soak", **s}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
