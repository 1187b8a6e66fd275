"""Queue intake throughput: the same signed traffic as bench_clearance, published to RabbitMQ
and cleared by 1, 2 and 4 `singlewindow worker` processes on PostgreSQL, next to the HTTP figure
(`singlewindow serve`, one process, 100 messages per request) on the same traffic.

Each run gets a fresh throwaway PostgreSQL cluster (bench_clearance.postgres_database) and its
own queue prefix on one throwaway RabbitMQ node (scripts/rabbitmq-throwaway.sh). For each run
the CPU time spent in the timed window is counted per part, in ms per message: the clearing
processes (workers, or the HTTP server), PostgreSQL (postmaster and backends, live and exited)
and the broker; the ratio of clearing to database CPU says how many clearing cores one
database core keeps up with. Messages are
published before the workers start (not timed); the clock runs from the moment all N workers
consume until the intake queue is empty and every worker has finished its last batch (SIGTERM,
which lets the batch in hand commit, publish and ack). Workers, broker, database and this
script share the machine's cores.

    .venv/bin/python bench/bench_workers.py [--parcels 2000] [--workers 1 2 4] [--batch 100]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pika
import psutil

import bench_clearance as bc
from singlewindow.kit.clock import CST
from singlewindow.queue.publisher import publish_messages
from singlewindow.queue.topology import AMQP_URL_ENV, PREFIX_ENV, Topology

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "rabbitmq-throwaway.sh"


@contextlib.contextmanager
def broker() -> Iterator[str]:
    given = os.environ.get("SINGLEWINDOW_TEST_AMQP_URL")
    if given:
        yield given
        return
    started = subprocess.run(
        ["bash", "-c", f'source "{SCRIPT}" && amqp_start >&2 && env | grep ^AMQP'],
        capture_output=True,
        text=True,
        check=True,
    )
    env = dict(line.split("=", 1) for line in started.stdout.splitlines())
    try:
        yield env["AMQP_URL"]
    finally:
        subprocess.run(
            ["bash", "-c", f'source "{SCRIPT}" && amqp_stop'],
            env={**os.environ, **env},
            check=False,
        )


def _queue(url: str, name: str) -> tuple[int, int]:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        frame = connection.channel().queue_declare(name, durable=True)
        return int(frame.method.message_count), int(frame.method.consumer_count)
    finally:
        connection.close()


def cpu_seconds(procs: list[psutil.Process]) -> float:
    """User + system CPU of the processes and of their children already waited for."""
    total = 0.0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


def postgres_processes(db_url: str) -> list[psutil.Process]:
    """The cluster's postmaster (listening on the URL's port) and its live backends."""
    return bc.database_processes(db_url)


def broker_processes() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] == "beam.smp"]


@dataclasses.dataclass
class Meter:
    """CPU seconds of the clearing processes, the database and the broker between start/stop."""

    clearing: list[psutil.Process]
    db_url: str
    begun: tuple[float, float, float] = (0.0, 0.0, 0.0)
    used: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def _now(self) -> tuple[float, float, float]:
        return (
            cpu_seconds(self.clearing),
            cpu_seconds(postgres_processes(self.db_url)),
            cpu_seconds(broker_processes()),
        )

    def start(self) -> None:
        self.begun = self._now()

    def stop(self) -> None:
        self.used = tuple(b - a for a, b in zip(self.begun, self._now(), strict=True))  # type: ignore[assignment]

    def per_message_ms(self, messages: int) -> dict[str, float]:
        clearing, database, broker_ = (1000 * x / messages for x in self.used)
        return {
            "clearing_cpu_ms": round(clearing, 3),
            "database_cpu_ms": round(database, 3),
            "broker_cpu_ms": round(broker_, 3),
            "clearing_per_database_core": round(clearing / database, 1) if database else 0.0,
        }


def queue_run(
    amqp: str, db_url: str, payloads: list[bytes], workers: int, batch: int
) -> tuple[float, Meter]:
    topology = Topology(prefix=f"bench{uuid.uuid4().hex[:8]}.singlewindow")
    publish_messages(amqp, payloads, topology)
    env = {**os.environ, bc.URL_ENV: db_url, AMQP_URL_ENV: amqp, PREFIX_ENV: topology.prefix}
    command = [str(bc.BIN / "singlewindow"), "worker", "--batch", str(batch)]
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    meter = Meter([psutil.Process(p.pid) for p in procs], db_url)
    try:
        while _queue(amqp, topology.intake)[1] < workers:
            time.sleep(0.02)
        began = time.perf_counter()
        meter.start()
        while _queue(amqp, topology.intake)[0] > 0:
            time.sleep(0.02)
        meter.stop()  # the batches in hand finish after this; their share is not counted
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=120)
        return time.perf_counter() - began, meter
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parcels", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--threads", type=int, default=3, help="HTTP client threads")
    args = parser.parse_args()
    zone = bc.build_zone()
    now = datetime.now(CST)
    keys = bc.make_keys(zone, now)
    bc._SIGNERS = keys
    messages = bc.month_messages(zone, keys, *bc.month_before(now.year, now.month), args.parcels)
    payloads = [m.data for m in messages]
    rows: list[dict[str, Any]] = []
    with bc.postgres_database() as url:
        api_keys = bc.file_zone(url, zone, keys)
        with bc.server(url, 1) as address:
            serving = [c for c in psutil.Process().children() if "serve" in " ".join(c.cmdline())]
            meter = Meter(serving, url)
            meter.start()
            elapsed, _ = bc.throughput(address, bc.requests_of(messages), api_keys, args.threads)
            meter.stop()
        rows.append(
            {
                "intake": "HTTP, 1 server process",
                "seconds": round(elapsed, 2),
                "messages_per_s": round(len(payloads) / elapsed),
                **meter.per_message_ms(len(payloads)),
            }
        )
    with broker() as amqp:
        for n in args.workers:
            with bc.postgres_database() as url:
                bc.file_zone(url, zone, keys)
                elapsed, meter = queue_run(amqp, url, payloads, n, args.batch)
            rows.append(
                {
                    "intake": f"RabbitMQ, {n} worker(s)",
                    "seconds": round(elapsed, 2),
                    "messages_per_s": round(len(payloads) / elapsed),
                    **meter.per_message_ms(len(payloads)),
                }
            )
    print(
        f"{len(payloads):,} messages ({args.parcels:,} parcels), PostgreSQL, {os.cpu_count()} cores"
    )
    print(
        f"  {'intake':<26} {'msg/s':>6} {'s':>6}   CPU ms/message: clearing  database  broker"
        "   clearing cores per database core"
    )
    for row in rows:
        print(
            f"  {row['intake']:<26} {row['messages_per_s']:>6,} {row['seconds']:>6}"
            f"   {row['clearing_cpu_ms']:>24} {row['database_cpu_ms']:>9} {row['broker_cpu_ms']:>7}"
            f"   {row['clearing_per_database_core']:>10}"
        )
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
