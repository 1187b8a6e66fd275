from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from summary_fixtures import SELLER, ceb701, file_zone, insert_inventory, inventory_record

from singlewindow.db.session import unit_of_work
from singlewindow.kit.clock import CST
from singlewindow.summary.tables import SummaryItemRow

COUNT = 40
APRIL = datetime(2026, 4, 20, 10, 0, tzinfo=CST)


def _race(client: TestClient, key: str, bodies: list[bytes]) -> list[dict[str, Any]]:
    """Post the bodies from as many threads at once; every answer must be a 200."""
    barrier = threading.Barrier(len(bodies))
    answers: list[dict[str, Any]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def post(data: bytes) -> None:
        barrier.wait()
        response = client.post(
            "/summaries",
            content=data,
            headers={"X-API-Key": key, "Content-Type": "application/xml"},
        )
        with lock:
            if response.status_code != 200:
                failures.append(f"{response.status_code} {response.text}")
            else:
                answers.extend(response.json()["receipts"])

    threads = [threading.Thread(target=post, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    return answers


@pytest.mark.parametrize("mode", [pytest.param("window", id="window_case"), "list"])
def test_each_inventory_joins_one_summary_under_concurrent_requests(
    client: TestClient, session_factory: sessionmaker[Session], mode: str
) -> None:
    zone = file_zone(session_factory)
    numbers = [f"46042026E{n:09d}" for n in range(1, COUNT + 1)]
    with unit_of_work(session_factory) as s:
        for n in numbers:
            insert_inventory(s, inventory_record(n), closed_at=APRIL)
    signer = zone.signers[SELLER]
    if mode == "window":
        bodies = [
            ceb701(cop_no=f"RACE{i}", start="20260401000000", end="20260430235959", signer=signer)
            for i in range(3)
        ]
    else:
        # Overlapping lists, in different orders.
        bodies = [
            ceb701(cop_no="RACE0", invt_nos=tuple(numbers[:30]), signer=signer),
            ceb701(cop_no="RACE1", invt_nos=tuple(reversed(numbers[10:])), signer=signer),
            ceb701(cop_no="RACE2", invt_nos=tuple(numbers[::2]), signer=signer),
        ]
    answers = _race(client, zone.seller_key, bodies)
    assert len(answers) == 3
    assert sum(a["inventories"] for a in answers) == COUNT
    with session_factory() as s:
        rows = s.execute(select(SummaryItemRow.inventory_id, SummaryItemRow.summary_id)).all()
    assert len(rows) == COUNT
    assert max(Counter(r[0] for r in rows).values()) == 1
    # Every inventory a request asked for and did not get is said to be in another summary.
    if mode == "list":
        asked = sum(len(set(b)) for b in (numbers[:30], numbers[10:], numbers[::2]))
        left_out = [e for a in answers for e in a["excluded"]]
        assert {e["reason"] for e in left_out} == {"summary.already_summarised"}
        assert len(left_out) == asked - COUNT
