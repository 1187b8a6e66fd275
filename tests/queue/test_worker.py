"""The worker against a real broker and database: receipts per sender, redelivery, poison."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from tests.queue.broker import drain, receipts
from tests.release.builders import AGENT, EBP, LOGISTICS, PAY, Parcel, import_docs
from tests.release.harness import Platform

from singlewindow.declaration.tables import MessageRow
from singlewindow.queue.publisher import publish_messages
from singlewindow.queue.topology import REASON_HEADER, Topology
from singlewindow.queue.worker import DatabaseClearer, Worker
from singlewindow.release.border import Decoded
from singlewindow.release.domain import ReceiptView


def _run(url: str, platform: Platform, topology: Topology, clearer: object = None) -> int:
    worker = Worker(
        url,
        clearer or DatabaseClearer(platform.factory, platform.clock),  # type: ignore[arg-type]
        topology=topology,
        batch=10,
        idle_exit=0.5,
    )
    return worker.run()


def _stored(platform: Platform) -> dict[str, int]:
    with platform.factory() as session:
        rows = session.execute(select(MessageRow.guid, func.count()).group_by(MessageRow.guid))
        return {str(guid): int(count) for guid, count in rows.all()}


def test_receipts_go_to_each_senders_queue(
    amqp_url: str, platform: Platform, topology: Topology
) -> None:
    docs = import_docs(Parcel(1))
    publish_messages(amqp_url, [platform.keys.sign(d) for d in docs.values()], topology)

    assert _run(amqp_url, platform, topology) == 4

    by_queue = receipts(amqp_url, [topology.receipts(c) for c in (EBP, PAY, LOGISTICS, AGENT)])
    assert {
        q: [(r["message_type"], r["message_guid"]) for r in rs] for q, rs in by_queue.items()
    } == {
        topology.receipts(EBP): [("CEB311", docs["CEB311"].guid)],
        topology.receipts(PAY): [("CEB411", docs["CEB411"].guid)],
        topology.receipts(LOGISTICS): [("CEB511", docs["CEB511"].guid)],
        topology.receipts(AGENT): [("CEB621", docs["CEB621"].guid)],
    }
    assert _stored(platform) == {d.guid: 1 for d in docs.values()}
    assert drain(amqp_url, topology.intake) == []
    assert drain(amqp_url, topology.dead) == []


def test_redelivered_bytes_store_one_row_and_answer_alike(
    amqp_url: str, platform: Platform, topology: Topology
) -> None:
    order = import_docs(Parcel(2))["CEB311"]
    signed = platform.keys.sign(order)
    publish_messages(amqp_url, [signed], topology)
    _run(amqp_url, platform, topology)
    publish_messages(amqp_url, [signed, signed], topology)
    _run(amqp_url, platform, topology)

    got = receipts(amqp_url, [topology.receipts(EBP)])[topology.receipts(EBP)]
    assert len(got) == 3
    assert got[1] == got[0] and got[2] == got[0]
    assert _stored(platform) == {order.guid: 1}


class _PoisonClearer:
    """The real clearer, but any batch holding the poisoned bytes raises, as a bug would; with
    `border_poisoned`, the border raises on them instead."""

    def __init__(self, real: DatabaseClearer, poisoned: bytes, *, border_poisoned: bool = False):
        self.real = real
        self.poisoned = poisoned
        self.border_poisoned = border_poisoned
        self.calls: list[int] = []
        self.borders: list[int] = []

    def border(self, payloads: Sequence[bytes]) -> list[Decoded]:
        self.borders.append(len(payloads))
        if self.border_poisoned and self.poisoned in payloads:
            raise RuntimeError("border boom")
        return self.real.border(payloads)

    def __call__(self, decoded: Sequence[Decoded]) -> list[ReceiptView]:
        self.calls.append(len(decoded))
        if any(d.data == self.poisoned for d in decoded):
            raise RuntimeError("boom")
        return self.real(decoded)


def test_poison_goes_to_the_dead_queue_and_the_others_clear(
    amqp_url: str, platform: Platform, topology: Topology
) -> None:
    docs = import_docs(Parcel(3))
    signed = {t: platform.keys.sign(d) for t, d in docs.items()}
    clearer = _PoisonClearer(DatabaseClearer(platform.factory, platform.clock), signed["CEB411"])
    publish_messages(amqp_url, [*signed.values(), b"not xml at all"], topology)

    assert _run(amqp_url, platform, topology, clearer) == 5

    dead = drain(amqp_url, topology.dead)
    assert [(m.body, m.headers[REASON_HEADER].split(":")[0]) for m in dead] == [
        (signed["CEB411"], "RuntimeError"),
        (b"not xml at all", "Unparsable"),
    ]
    assert dead[0].headers[REASON_HEADER] == "RuntimeError: boom"
    assert clearer.calls == [4, 1, 1, 1, 1]
    assert _stored(platform) == {docs[t].guid: 1 for t in ("CEB311", "CEB511", "CEB621")}
    assert receipts(amqp_url, [topology.receipts(PAY)]) == {topology.receipts(PAY): []}
    assert drain(amqp_url, topology.intake) == []


def test_a_message_the_border_fails_on_is_dead_lettered_alone(
    amqp_url: str, platform: Platform, topology: Topology
) -> None:
    docs = import_docs(Parcel(4))
    signed = {t: platform.keys.sign(d) for t, d in docs.items()}
    real = DatabaseClearer(platform.factory, platform.clock)
    clearer = _PoisonClearer(real, signed["CEB511"], border_poisoned=True)
    publish_messages(amqp_url, list(signed.values()), topology)

    assert _run(amqp_url, platform, topology, clearer) == 4

    dead = drain(amqp_url, topology.dead)
    assert [(m.body, m.headers[REASON_HEADER]) for m in dead] == [
        (signed["CEB511"], "RuntimeError: border boom")
    ]
    assert clearer.borders == [4, 1, 1, 1, 1]  # the batch, then each alone
    assert clearer.calls == [3]
    assert _stored(platform) == {docs[t].guid: 1 for t in ("CEB311", "CEB411", "CEB621")}
    assert drain(amqp_url, topology.intake) == []
