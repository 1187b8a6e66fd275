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

from tests.release.builders import BUYER_ID, Parcel, import_docs
from tests.release.harness import Platform

from singlewindow.db.session import unit_of_work
from singlewindow.release import service
from singlewindow.tax.tables import QuotaUsageRow


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
        assert other.is_alive(), failure  # still waiting, not finished nor failed
    other.join(30)
    assert not other.is_alive()
    assert failure == []
    assert outcome == [["120"]]
    assert platform.status(p.order_no) == "800"
    assert [to for _, to, _ in platform.history(p.order_no)] == ["120", "800"]


def test_one_buyers_parcels_completed_by_concurrent_batches_share_the_yearly_quota(
    platform: Platform,
) -> None:
    """Two inventories of one buyer wait for their orders; the buyer has 150 CNY of the yearly
    26,000 left and each parcel's dutiable value is 110. Each order comes in its own batch at
    the same time. The order does not lock the buyer itself (only inventories, cancels and
    returns do); the buyer's lock comes with the stored inventory the order completes. So the
    second batch waits for the first, sees its quota used, and refuses its parcel."""
    a, b = Parcel(1), Parcel(2)
    docs_a, docs_b = import_docs(a), import_docs(b)
    left_fen = 15_000
    with unit_of_work(platform.factory) as session:
        session.add(
            QuotaUsageRow(buyer_id_number=BUYER_ID, year=2026, used_fen=2_600_000 - left_fen)
        )
    platform.send(
        *(docs_a[t] for t in ("CEB411", "CEB511", "CEB621")),
        *(docs_b[t] for t in ("CEB411", "CEB511", "CEB621")),
    )
    assert (platform.status(a.order_no), platform.status(b.order_no)) == ("120", "120")

    order_a = platform.keys.sign(docs_a["CEB311"])
    order_b = platform.keys.sign(docs_b["CEB311"])
    failure: list[BaseException] = []
    started = threading.Event()

    def second_batch() -> None:
        try:
            started.set()
            service.submit_with_retry(platform.factory, platform.ctx, [order_b])
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)

    with unit_of_work(platform.factory) as session:
        service.submit_messages(session, platform.ctx, [order_a])
        other = threading.Thread(target=second_batch)
        other.start()
        started.wait(5)
        other.join(0.5)  # it must not judge parcel 2 while parcel 1's quota use is uncommitted
        assert other.is_alive(), failure  # still waiting, not finished nor failed
    other.join(30)
    assert not other.is_alive()
    assert failure == []
    assert platform.status(a.order_no) == "800"
    assert platform.status(b.order_no) == "100"
    assert "tax.annual_quota_exceeded" in platform.history(b.order_no)[-1][2]
    assert platform.quota(BUYER_ID, 2026) == 2_600_000 - left_fen + 11_000
