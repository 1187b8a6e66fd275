"""The workset writes a batch's new documents itself, under ids it reserved: more documents than
it expected (an arrival report listing many parcels) still get distinct ids, and two batches one
after the other never reuse an id."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select, update
from tests.release.builders import NOW, Parcel, import_docs
from tests.release.harness import Platform

from singlewindow.db.session import unit_of_work
from singlewindow.declaration import rows
from singlewindow.declaration.repository import lock_keys
from singlewindow.declaration.rows import (
    Document,
    Inventory,
    StatusChanged,
    documents_by_ids,
    write_rows,
)
from singlewindow.declaration.tables import DocumentRow, InventoryRow, MessageRow
from singlewindow.release.workset import Workset


def _batch(platform: Platform, guid: str, count: int, expected: int) -> list[int]:
    with unit_of_work(platform.factory) as session:
        lock_keys(session, [f"message|{guid}"])
        session.add(
            MessageRow(
                guid=guid,
                sha256="0" * 64,
                message_type="CEB507",
                cop_code="x",
                received_at=NOW,
                record_count=1,
                raw=b"",
            )
        )
        session.flush()
        ws = Workset(session)
        ws.expected_documents = expected
        rows = [
            Document(
                id=0,
                message_guid=guid,
                record_guid=guid,
                message_type="CEB507",
                kind="arrival",
                direction="E",
                doc_key=f"{guid}|{n}",
                order_key="",
                logistics_key=f"L|{n}",
                cop_code="x",
                parties="x",
                app_status="2",
                status="120",
                version=1,
                received_at=NOW,
                body={"n": n},
            )
            for n in range(count)
        ]
        for row in rows:
            ws.add_document(row)
        write_rows(session)
        rows[-1].status = "800"  # a change after the write is an update of the written row
        return [row.id for row in rows]


def test_new_documents_get_distinct_reserved_ids(platform: Platform) -> None:
    first = _batch(platform, "g-1", 40, expected=1)
    second = _batch(platform, "g-2", 3, expected=3)
    assert len(set(first)) == 40
    assert len(set(second)) == 3
    assert max(first) < min(second)
    with platform.factory() as session:
        stored = dict(session.execute(select(DocumentRow.id, DocumentRow.status)).all())
        assert {i: stored[i] for i in first + second} == {
            **{i: "120" for i in first[:-1]},
            first[-1]: "800",
            **{i: "120" for i in second[:-1]},
            second[-1]: "800",
        }
        assert session.scalar(select(func.count()).select_from(DocumentRow)) == len(stored)


def _statuses(platform: Platform, ids: list[int]) -> dict[int, str]:
    with platform.factory() as session:
        rows = session.execute(select(DocumentRow.id, DocumentRow.status)).all()
    return {i: s for i, s in rows if i in ids}


def test_only_changed_rows_are_written_back(platform: Platform) -> None:
    ids = _batch(platform, "g-1", 3, expected=3)
    updates: list[str] = []

    def spy(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE DOCUMENTS"):
            updates.append(statement)

    with unit_of_work(platform.factory) as session:
        event.listen(session.get_bind(), "before_cursor_execute", spy)
        try:
            loaded = documents_by_ids(session, ids)
            loaded[ids[0]].status = "100"
            loaded[ids[1]].status = "120"  # the value it already has: not a change
            write_rows(session)
            write_rows(session)  # nothing new to write the second time
        finally:
            event.remove(session.get_bind(), "before_cursor_execute", spy)
    assert len(updates) == 1
    assert "status" in updates[0] and "body" not in updates[0]
    assert _statuses(platform, ids) == {ids[0]: "100", ids[1]: "120", ids[2]: "800"}


def _waiting_inventories(platform: Platform, n: int) -> dict[int, str]:
    """n inventories stored and waiting (120): order number by id."""
    out = {}
    for i in range(1, n + 1):
        p = Parcel(i)
        docs = import_docs(p)
        platform.send(docs["CEB411"], docs["CEB621"])
        out[platform.inventory(p.order_no).id] = p.order_no
    return out


def test_an_inventory_moved_by_somebody_else_is_not_overwritten(platform: Platform) -> None:
    """The status change is a compare-and-set on the status read: here one stored status is
    changed after the read (as another transaction would), so the write refuses and nothing of
    the transaction stays."""
    waiting = _waiting_inventories(platform, 2)
    moved = min(waiting)
    with (
        pytest.raises(StatusChanged, match="1 of 2 rows no longer have the status"),
        unit_of_work(platform.factory) as session,
    ):
        read = rows.read(session, Inventory, InventoryRow.id.in_(waiting))
        assert [i.status for i in read] == ["120", "120"]
        session.connection().execute(
            update(InventoryRow).where(InventoryRow.id == moved).values(status="100")
        )
        for inventory in read:
            inventory.status = "800"
        write_rows(session)
    assert [platform.status(order_no) for order_no in waiting.values()] == ["120", "120"]


def test_inventories_moved_twice_in_one_transaction_are_written_twice(platform: Platform) -> None:
    """Each write compares with the status the previous one wrote; the rows matched are counted
    over the whole batch (both drivers sum an executemany's counts)."""
    waiting = _waiting_inventories(platform, 3)
    with unit_of_work(platform.factory) as session:
        read = rows.read(session, Inventory, InventoryRow.id.in_(waiting))
        for status in ("500", "800"):
            for inventory in read:
                inventory.status = status
            write_rows(session)
    assert [platform.status(order_no) for order_no in waiting.values()] == ["800"] * 3


def test_rows_of_a_rolled_back_transaction_are_forgotten(platform: Platform) -> None:
    ids = _batch(platform, "g-1", 1, expected=1)
    with platform.factory() as session:
        documents_by_ids(session, ids)[ids[0]].status = "100"
        session.rollback()
        with session.begin():
            write_rows(session)
    assert _statuses(platform, ids) == {ids[0]: "800"}
