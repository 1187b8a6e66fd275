"""Crash safety: a worker and the API server killed with SIGKILL at random moments while a batch
is in flight, 20 times each, then restarted with no repair; the invariants of `invariants.check`
must hold (on SQLite, and on PostgreSQL in the suite's second pass)."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
from tests.queue import invariants
from tests.queue.broker import consumers, depth, drain, receipts
from tests.release.builders import ROLES, Parcel, import_docs
from tests.release.harness import Platform

from singlewindow.auth import service as auth
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.session import unit_of_work
from singlewindow.queue.publisher import publish_messages
from singlewindow.queue.topology import Topology

REPETITIONS = 20
# Each command alone, not the whole CLI: importing less makes each of the 40 restarts shorter.
WORKER = [
    sys.executable,
    "-c",
    "import typer; from singlewindow.queue.cli import worker; typer.run(worker)",
]
SERVE = [
    sys.executable,
    "-c",
    "import typer; from singlewindow.cli.run import serve; typer.run(serve)",
]


def _env(database_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "SINGLEWINDOW_DATABASE_URL": database_url, **extra}


def _until(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.03)


def _batch(platform: Platform, first: int) -> list[tuple[str, str, bytes]]:
    """Two parcels' import documents: (sender, guid, signed bytes)."""
    docs = [d for n in (first, first + 1) for d in import_docs(Parcel(n)).values()]
    return [(d.sender, d.guid, platform.keys.sign(d)) for d in docs]


def test_killed_workers_lose_and_double_nothing(
    amqp_url: str, platform: Platform, topology: Topology, database_url: str
) -> None:
    rng = random.Random(20261126)
    env = _env(
        database_url, SINGLEWINDOW_AMQP_URL=amqp_url, SINGLEWINDOW_AMQP_PREFIX=topology.prefix
    )
    worker = [*WORKER, "--batch", "3", "--window", "0.01"]
    published: list[str] = []
    killed_mid_work = 0
    # The next worker starts while the current one works (any number may consume at once), so
    # its start-up overlaps the current one's life and the 20 kills cost less wall time.
    upcoming = subprocess.Popen(worker, env=env, stdout=subprocess.DEVNULL)
    for rep in range(REPETITIONS):
        batch = _batch(platform, 1 + 2 * rep)
        # The first message twice: a redelivery by the enterprise itself.
        publish_messages(amqp_url, [b for _, _, b in batch] + [batch[0][2]], topology)
        published += [g for _, g, _ in batch]
        proc, upcoming = upcoming, subprocess.Popen(worker, env=env, stdout=subprocess.DEVNULL)
        _until(lambda p=proc: consumers(amqp_url, topology.intake) > 0 or p.poll() is not None)
        time.sleep(rng.uniform(0.0, 0.25))
        killed_mid_work += depth(amqp_url, topology.intake) > 0
        proc.kill()
        assert proc.wait() == -9
    upcoming.kill()
    upcoming.wait()
    final = subprocess.run([*worker, "--idle-exit", "1"], env=env, capture_output=True, timeout=120)
    assert final.returncode == 0, final.stderr.decode()[-2000:]

    assert depth(amqp_url, topology.intake) == 0
    assert drain(amqp_url, topology.dead) == []
    sent = [r for rs in receipts(amqp_url, map(topology.receipts, ROLES)).values() for r in rs]
    invariants.check(platform.factory, published, sent)
    assert set(invariants.stored_guids(platform.factory)) == set(published)
    assert {r["message_guid"] for r in sent} == set(published)
    assert killed_mid_work > 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_killed_servers_lose_and_double_nothing(platform: Platform, database_url: str) -> None:
    rng = random.Random(1126)
    with unit_of_work(platform.factory) as session:
        api_keys = {
            code: auth.add_user(session, AgencyRole.ENTERPRISE, code, code)[1] for code in ROLES
        }
    pending: list[tuple[str, str, bytes]] = []
    acknowledged: list[str] = []
    answered: list[dict[str, Any]] = []

    def post_all(client: httpx.Client) -> None:
        """Send what is pending in order until the server stops answering."""
        while pending:
            sender, guid, body = pending[0]
            try:
                response = client.post(
                    "/messages",
                    content=body,
                    headers={"X-API-Key": api_keys[sender], "Content-Type": "application/xml"},
                )
            except httpx.HTTPError:
                return  # the server is gone: the enterprise sends it again later
            assert response.status_code == 200, response.text
            acknowledged.append(guid)
            answered.extend(response.json()["receipts"])
            pending.pop(0)

    def start(port: int) -> subprocess.Popen[bytes]:
        command = [*SERVE, "--port", str(port)]
        return subprocess.Popen(command, env=_env(database_url), stdout=subprocess.DEVNULL)

    def ready(proc: subprocess.Popen[bytes], base: str) -> None:
        def answers() -> bool:
            try:
                return httpx.get(f"{base}/nothing-here", timeout=1).status_code == 404
            except httpx.HTTPError:
                assert proc.poll() is None, "server exited"
                return False

        _until(answers)

    # Two ports in turn: the next server starts while the current one serves (and is killed).
    ports = [_free_port(), _free_port()]
    expected: set[str] = set()
    upcoming = start(ports[0])
    for rep in range(REPETITIONS + 1):
        port = ports[rep % 2]
        proc, upcoming = upcoming, start(ports[(rep + 1) % 2])
        base = f"http://127.0.0.1:{port}"
        ready(proc, base)
        if rep < REPETITIONS:
            batch = _batch(platform, 1 + 2 * rep)
            expected |= {g for _, g, _ in batch}
            pending += batch
            threading.Timer(rng.uniform(0.0, 0.4), proc.kill).start()
        with httpx.Client(base_url=base, timeout=10) as client:
            post_all(client)
        if rep == REPETITIONS:
            proc.terminate()
        proc.wait()
    upcoming.terminate()
    upcoming.wait()

    assert pending == []
    invariants.check(platform.factory, acknowledged, answered)
    assert set(invariants.stored_guids(platform.factory)) == expected
