"""The queue worker: take a batch of deliveries from the intake queue, clear them in ONE unit of
work, and only after the commit publish the receipts and acknowledge the deliveries (together, in
one broker transaction).

Crash safety comes from that order. A worker that dies before the commit leaves nothing stored
and nothing acknowledged: the broker redelivers. One that dies after the commit but before the
ack gets its deliveries redelivered too; clearing is idempotent by guid (the same bytes return
the original receipts and store nothing twice), so the redelivery stores nothing and publishes
the same receipts again, which an enterprise must treat as a duplicate (same receipt guid).
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Protocol

import orjson
import pika  # type: ignore[import-untyped]  # pika ships no types
from pika.adapters.blocking_connection import BlockingChannel  # type: ignore[import-untyped]  # pika ships no types
from pika.spec import Basic, BasicProperties  # type: ignore[import-untyped]  # pika ships no types
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from singlewindow.db.session import unit_of_work
from singlewindow.kit.admission import Busy
from singlewindow.kit.clock import Clock
from singlewindow.queue.publisher import publish
from singlewindow.queue.topology import REASON_HEADER, Topology
from singlewindow.release.border import Decoded, decode_message
from singlewindow.release.context import build_context
from singlewindow.release.domain import ReceiptView, sender_of
from singlewindow.release.service import clear_with_retry, judge_records

log = logging.getLogger(__name__)


class Clearer(Protocol):
    """`border` decodes and verifies each message (no database); the call judges and stores
    the decoded messages in one transaction, receipts in input order."""

    def border(self, payloads: Sequence[bytes]) -> list[Decoded]: ...

    def __call__(self, decoded: Sequence[Decoded]) -> list[ReceiptView]: ...


@dataclass(frozen=True)
class DatabaseClearer:
    """The real clearer. On the queue the sender is the message's own copCode: the broker's
    user authentication (who may publish to the intake queue) is the access control, so the
    service is called as the platform (submitter None) and checks signatures as always."""

    factory: sessionmaker[Session]
    clock: Clock | None = None

    def border(self, payloads: Sequence[bytes]) -> list[Decoded]:
        return [decode_message(data) for data in payloads]

    def __call__(self, decoded: Sequence[Decoded]) -> list[ReceiptView]:
        with unit_of_work(self.factory) as session:
            ctx = build_context(session, clock=self.clock)
        judge_records(decoded, ctx)
        # Workers on one PostgreSQL database meet on parcels: the batch is judged again when it
        # found a parcel's key held or the database broke a wait cycle.
        return clear_with_retry(self.factory, ctx, list(decoded), submitter=None, actor="queue")


@dataclass(frozen=True)
class Delivery:
    tag: int
    body: bytes


@dataclass(frozen=True)
class _Judged:
    delivery: Delivery
    decoded: Decoded
    cop_code: str
    records: int


def _reason(exc: BaseException | None) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def _unavailable(exc: BaseException) -> bool:
    """The database itself is gone (connection refused, dropped), or the batch met contention
    on every attempt (`Busy`): not the message's fault, so the worker stops without
    acknowledging and the broker keeps the messages for the next worker."""
    if isinstance(exc, Busy | OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class Worker:
    """One consumer of the intake queue. `run` returns when stopped (SIGTERM, `stop`) or, with
    `idle_exit`, after that many seconds without a delivery."""

    def __init__(
        self,
        url: str,
        clearer: Clearer,
        *,
        topology: Topology | None = None,
        batch: int = 100,
        window: float = 0.05,
        idle_exit: float = 0.0,
    ) -> None:
        self.url = url
        self.clearer = clearer
        self.topology = topology or Topology()
        self.batch = batch
        self.window = window
        self.idle_exit = idle_exit
        self.handled = 0
        self._stopping = False
        self._buffer: list[Delivery] = []
        self._declared: set[str] = set()

    def stop(self, *_args: object) -> None:
        self._stopping = True

    def install_signal_handlers(self) -> None:
        def handler(_signum: int, _frame: FrameType | None) -> None:
            self.stop()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def run(self) -> int:
        connection = pika.BlockingConnection(pika.URLParameters(self.url))
        try:
            channel = connection.channel()
            # A broker transaction per batch: its receipts, dead letters and the ack are taken
            # together at tx_commit (persistent messages written to disk first), one round trip
            # instead of a publisher confirm per receipt.
            channel.tx_select()
            self.topology.declare(channel)
            channel.basic_qos(prefetch_count=self.batch)
            channel.basic_consume(self.topology.intake, self._on_message)
            self._loop(connection, channel)
        finally:
            if connection.is_open:
                # Deliveries still buffered were never cleared: closing returns them to the queue.
                connection.close()
        return self.handled

    def _on_message(
        self,
        _channel: BlockingChannel,
        method: Basic.Deliver,
        _properties: BasicProperties,
        body: bytes,
    ) -> None:
        assert method.delivery_tag is not None
        self._buffer.append(Delivery(method.delivery_tag, body))

    def _loop(self, connection: pika.BlockingConnection, channel: BlockingChannel) -> None:
        last_seen = time.monotonic()
        first_at = 0.0
        while not self._stopping:
            connection.process_data_events(time_limit=self.window if self._buffer else 0.2)
            now = time.monotonic()
            if not self._buffer:
                if self.idle_exit and now - last_seen >= self.idle_exit:
                    return
                continue
            if not first_at:
                first_at = now
            last_seen = now
            if len(self._buffer) >= self.batch or now - first_at >= self.window:
                taken, self._buffer = self._buffer[: self.batch], self._buffer[self.batch :]
                self.handle(channel, taken)
                first_at = now if self._buffer else 0.0

    def handle(self, channel: BlockingChannel, deliveries: Sequence[Delivery]) -> None:
        """Clear and commit to the database; then publish receipts and dead letters and
        acknowledge the deliveries in one broker transaction."""
        judged: list[_Judged] = []
        dead: list[tuple[Delivery, str]] = []
        for delivery, one in zip(deliveries, self._border(deliveries), strict=True):
            if isinstance(one, BaseException) or one.message is None:
                # Not a message at all, hostile or breaking the schema (or the border failed on
                # it): nothing would be stored, and the sender cannot be read to answer it, so it
                # is dead-lettered.
                dead.append(
                    (delivery, _reason(one if isinstance(one, BaseException) else one.refusal))
                )
                continue
            records = max(1, len(one.message.records))
            judged.append(_Judged(delivery, one, sender_of(one.message), records))
        answered: list[tuple[_Judged, list[ReceiptView]]] = []
        if judged:
            try:
                receipts = self.clearer([j.decoded for j in judged])
                answered = self._split(judged, receipts)
            except Exception as exc:
                if _unavailable(exc):
                    raise
                log.warning("batch of %d failed (%s); retrying each alone", len(judged), exc)
                answered, poison = self._one_by_one(judged)
                dead.extend(poison)
        for item, views in answered:
            queue = self.topology.receipts(item.cop_code)
            if queue not in self._declared:
                channel.queue_declare(queue, durable=True)
                self._declared.add(queue)
            for view in views:
                publish(
                    channel, queue, orjson.dumps(view.as_dict()), content_type="application/json"
                )
        for delivery, reason in sorted(dead, key=lambda d: d[0].tag):
            publish(channel, self.topology.dead, delivery.body, headers={REASON_HEADER: reason})
        channel.basic_ack(max(d.tag for d in deliveries), multiple=True)
        channel.tx_commit()
        self.handled += len(deliveries)

    def _border(self, deliveries: Sequence[Delivery]) -> list[Decoded | Exception]:
        """The batch's border at once; if it fails (a bug, not a bad message: those are
        refusals), each delivery alone, so that one cannot hold up the others."""
        try:
            return list(self.clearer.border([d.body for d in deliveries]))
        except Exception:
            log.exception("border of a batch of %d failed; each alone", len(deliveries))
        out: list[Decoded | Exception] = []
        for delivery in deliveries:
            try:
                out.extend(self.clearer.border([delivery.body]))
            except Exception as exc:
                out.append(exc)
        return out

    def _one_by_one(
        self, judged: Sequence[_Judged]
    ) -> tuple[list[tuple[_Judged, list[ReceiptView]]], list[tuple[Delivery, str]]]:
        answered: list[tuple[_Judged, list[ReceiptView]]] = []
        poison: list[tuple[Delivery, str]] = []
        for item in judged:
            try:
                answered.append((item, self.clearer([item.decoded])))
            except Exception as exc:
                if _unavailable(exc):
                    raise
                log.error("poison message (tag %d): %s", item.delivery.tag, exc)
                poison.append((item.delivery, _reason(exc)))
        return answered, poison

    @staticmethod
    def _split(
        judged: Sequence[_Judged], receipts: Sequence[ReceiptView]
    ) -> list[tuple[_Judged, list[ReceiptView]]]:
        """Receipts come back in input order, one per business record of each message."""
        out: list[tuple[_Judged, list[ReceiptView]]] = []
        at = 0
        for item in judged:
            out.append((item, list(receipts[at : at + item.records])))
            at += item.records
        if at != len(receipts):
            raise RuntimeError(f"{len(receipts)} receipts for {at} records")
        return out
