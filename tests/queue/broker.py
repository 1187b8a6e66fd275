"""Reading the broker's queues back in tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
import pika


@dataclass(frozen=True)
class Drained:
    body: bytes
    headers: dict[str, Any] = field(default_factory=dict)


def drain(url: str, queue: str) -> list[Drained]:
    """Every message on `queue`, taken off it (declared durable if missing)."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.queue_declare(queue, durable=True)
        out: list[Drained] = []
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                return out
            out.append(Drained(body, dict(properties.headers or {})))
    finally:
        connection.close()


def receipts(url: str, queues: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    return {q: [orjson.loads(m.body) for m in drain(url, q)] for q in queues}


def consumers(url: str, queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        frame = connection.channel().queue_declare(queue, durable=True)
        return int(frame.method.consumer_count)
    finally:
        connection.close()


def depth(url: str, queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        frame = connection.channel().queue_declare(queue, durable=True)
        return int(frame.method.message_count)
    finally:
        connection.close()
