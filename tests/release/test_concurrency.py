"""Two batches meeting on one parcel at the same time: the inventory is judged with every
document either of them brought, whichever commits first.

The inventory is stored first and waits (120) for its order and waybill. One transaction takes
the order and stays open; meanwhile another batch brings the waybill. The waybill's batch reaches
the inventory, so it must wait for the order's transaction (PostgreSQL: it finds the order's key
held, backs off and finally waits; SQLite: the database's write lock) and then see the order.
Had it read without waiting, each batch would see only its own document and the inventory would
stay at 120 until the deadline refused it.
"""

from __future__ import annotations

import threading

from tests.release.builders import Parcel, import_docs
from tests.release.harness import Platform

from singlewindow.db.session import unit_of_work
from singlewindow.release import service


def test_a_parcel_completed_by_two_concurrent_batches_is_released(platform: Platform) -> None:
    p = Parcel(1)
    docs = import_docs(p)
    platform.send(docs["CEB411"], docs["CEB621"])
    assert platform.status(p.order_no) == "120"

    order = platform.keys.sign(docs["CEB311"])
    waybill = platform.keys.sign(docs["CEB511"])
    outcome: list[list[str]] = []
    failure: list[BaseException] = []
    started = threading.Event()

    def second_batch() -> None:
        try:
            started.set()
            receipts = service.submit_with_retry(platform.factory, platform.ctx, [waybill])
            outcome.append([r.return_status for r in receipts])
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)

    with unit_of_work(platform.factory) as session:
        first = service.submit_messages(session, platform.ctx, [order])
        assert [r.return_status for r in first] == ["120"]
        other = threading.Thread(target=second_batch)
        other.start()
        started.wait(5)
        other.join(0.5)  # it must not finish while the order's transaction is open
        assert other.is_alive() or failure == [], failure
    other.join(30)
    assert not other.is_alive()
    assert failure == []
    assert outcome == [["120"]]
    assert platform.status(p.order_no) == "800"
    assert [to for _, to, _ in platform.history(p.order_no)] == ["120", "800"]
