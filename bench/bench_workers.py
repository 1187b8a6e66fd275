"""Queue intake throughput: the same signed traffic as bench_clearance, published to RabbitMQ
and cleared by 1, 2 and 4 `singlewindow worker` processes on PostgreSQL, next to the HTTP figure
(`singlewindow serve`, one process, 100 messages per request) on the same traffic.

Each run gets a fresh throwaway PostgreSQL cluster (bench_clearance.postgres_database) and its
own queue prefix on one throwaway RabbitMQ node (scripts/rabbitmq-throwaway.sh). Messages are
published before the workers start (not timed); the clock runs from the moment all N workers
consume until the intake queue is empty and every worker has finished its last batch (SIGTERM,
which lets the batch in hand commit, publish and ack). Workers, broker, database and this
script share the machine's cores.

    .venv/bin/python bench/bench_workers.py [--parcels 2000] [--workers 1 2 4] [--batch 100]
"""

from __future__ import annotations

import argparse
import contextlib
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


def queue_run(amqp: str, db_url: str, payloads: list[bytes], workers: int, batch: int) -> float:
    topology = Topology(prefix=f"bench{uuid.uuid4().hex[:8]}.singlewindow")
    publish_messages(amqp, payloads, topology)
    env = {**os.environ, bc.URL_ENV: db_url, AMQP_URL_ENV: amqp, PREFIX_ENV: topology.prefix}
    command = [str(bc.BIN / "singlewindow"), "worker", "--batch", str(batch)]
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        while _queue(amqp, topology.intake)[1] < workers:
            time.sleep(0.02)
        began = time.perf_counter()
        while _queue(amqp, topology.intake)[0] > 0:
            time.sleep(0.02)
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=120)
        return time.perf_counter() - began
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
            elapsed, _ = bc.throughput(address, bc.requests_of(messages), api_keys, args.threads)
        rows.append(
            {
                "intake": "HTTP, 1 server process",
                "seconds": round(elapsed, 2),
                "messages_per_s": round(len(payloads) / elapsed),
            }
        )
    with broker() as amqp:
        for n in args.workers:
            with bc.postgres_database() as url:
                bc.file_zone(url, zone, keys)
                elapsed = queue_run(amqp, url, payloads, n, args.batch)
            rows.append(
                {
                    "intake": f"RabbitMQ, {n} worker(s)",
                    "seconds": round(elapsed, 2),
                    "messages_per_s": round(len(payloads) / elapsed),
                }
            )
    print(
        f"{len(payloads):,} messages ({args.parcels:,} parcels), PostgreSQL, {os.cpu_count()} cores"
    )
    for row in rows:
        print(f"  {row['intake']:<28} {row['messages_per_s']:>7,} msg/s  ({row['seconds']} s)")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
