"""Publishing to the platform's queues with publisher confirms: what enterprises (and tests and
the benchmark) use to send messages, and what the worker uses for receipts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pika  # type: ignore[import-untyped]  # pika ships no types
from pika.adapters.blocking_connection import BlockingChannel  # type: ignore[import-untyped]  # pika ships no types

from singlewindow.queue.topology import Topology

PERSISTENT = pika.DeliveryMode.Persistent


def open_channel(url: str) -> tuple[pika.BlockingConnection, BlockingChannel]:
    """A connection and a channel in confirm mode: basic_publish returns once the broker has
    taken the message (written to disk for persistent messages on durable queues)."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.confirm_delivery()
    return connection, channel


def publish(
    channel: BlockingChannel,
    queue: str,
    body: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    content_type: str = "application/xml",
) -> None:
    channel.basic_publish(
        exchange="",
        routing_key=queue,
        body=body,
        properties=pika.BasicProperties(
            delivery_mode=PERSISTENT,
            content_type=content_type,
            headers=dict(headers) if headers else None,
        ),
    )


def publish_messages(url: str, payloads: Iterable[bytes], topology: Topology) -> int:
    """Publish CEB messages to the intake queue, confirmed one by one; returns how many."""
    connection, channel = open_channel(url)
    try:
        topology.declare(channel)
        count = 0
        for body in payloads:
            publish(channel, topology.intake, body)
            count += 1
        return count
    finally:
        connection.close()
