"""The broker's queue names and their declaration. A prefix lets several platforms (or tests)
share one broker; by default the names are the ones the enterprises are told."""

from __future__ import annotations

import os
from dataclasses import dataclass

from pika.adapters.blocking_connection import BlockingChannel  # type: ignore[import-untyped]  # pika ships no types

AMQP_URL_ENV = "SINGLEWINDOW_AMQP_URL"
PREFIX_ENV = "SINGLEWINDOW_AMQP_PREFIX"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
REASON_HEADER = "x-singlewindow-reason"


def amqp_url() -> str:
    return os.environ.get(AMQP_URL_ENV) or DEFAULT_AMQP_URL


@dataclass(frozen=True)
class Topology:
    prefix: str = "singlewindow"

    @classmethod
    def from_env(cls) -> Topology:
        return cls(os.environ.get(PREFIX_ENV) or "singlewindow")

    @property
    def intake(self) -> str:
        return f"{self.prefix}.intake"

    @property
    def dead(self) -> str:
        return f"{self.prefix}.dead"

    def receipts(self, cop_code: str) -> str:
        return f"{self.prefix}.receipts.{cop_code}"

    def declare(self, channel: BlockingChannel) -> None:
        """Durable queues survive a broker restart; with persistent messages, so do messages."""
        channel.queue_declare(self.intake, durable=True)
        channel.queue_declare(self.dead, durable=True)
