"""Fixtures of the queue tests: one RabbitMQ broker (the suite's, named by
SINGLEWINDOW_TEST_AMQP_URL, or one started here by scripts/rabbitmq-throwaway.sh), queue names
of their own per test, and the filed zone from the clearance tests."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.release.conftest import _filed_sqlite, keys, platform  # noqa: F401  (fixtures)

from singlewindow.queue.topology import Topology

TEST_AMQP_ENV = "SINGLEWINDOW_TEST_AMQP_URL"
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "rabbitmq-throwaway.sh"


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    given = os.environ.get(TEST_AMQP_ENV)
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
    yield env["AMQP_URL"]
    subprocess.run(
        ["bash", "-c", f'source "{SCRIPT}" && amqp_stop'],
        env={**os.environ, **env},
        check=True,
    )


@pytest.fixture
def topology() -> Topology:
    return Topology(prefix=f"t{uuid.uuid4().hex[:12]}.singlewindow")
