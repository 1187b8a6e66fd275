"""What must hold after any crash: every acknowledged message stored exactly once, every
inventory's history a chain, and no receipt for anything not stored."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from singlewindow.declaration.tables import InventoryRow, MessageRow, ReceiptRow, TransitionRow


def stored_guids(factory: sessionmaker[Session]) -> Counter[str]:
    with factory() as session:
        return Counter(str(g) for g in session.scalars(select(MessageRow.guid)))


def broken_chains(factory: sessionmaker[Session]) -> list[str]:
    """Inventories whose transitions do not follow on (from = previous to) or do not end at
    the inventory's status; empty when every history is consistent."""
    with factory() as session:
        history: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for t in session.scalars(select(TransitionRow).order_by(TransitionRow.id)):
            history[t.inventory_id].append((t.from_status, t.to_status))
        broken = []
        for inv in session.scalars(select(InventoryRow)):
            steps = history.get(inv.id, [])
            follows = all(b[0] == a[1] for a, b in itertools.pairwise(steps))
            if not steps or not follows or steps[-1][1] != inv.status:
                broken.append(f"{inv.order_no}: {steps} ending at {inv.status}")
        return broken


def check(
    factory: sessionmaker[Session],
    acknowledged: Iterable[str],
    receipts: Iterable[Mapping[str, Any]],
) -> None:
    acknowledged = set(acknowledged)
    stored = stored_guids(factory)
    assert {g: n for g, n in stored.items() if n != 1} == {}
    assert acknowledged - set(stored) == set()
    assert broken_chains(factory) == []
    sent = list(receipts)
    assert {r["message_guid"] for r in sent} - set(stored) == set()
    with factory() as session:
        recorded = {str(g) for g in session.scalars(select(ReceiptRow.message_guid))}
    assert {r["message_guid"] for r in sent} - recorded == set()
    # A receipt sent twice (redelivery after a crash) is the same receipt both times.
    by_guid: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in sent:
        by_guid[r["guid"]].append(r)
    assert {g: rs for g, rs in by_guid.items() if any(x != rs[0] for x in rs)} == {}
