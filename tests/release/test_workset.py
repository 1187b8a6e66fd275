"""The workset writes a batch's new documents itself, under ids it reserved: more documents than
it expected (an arrival report listing many parcels) still get distinct ids, and two batches one
after the other never reuse an id."""

from __future__ import annotations

from sqlalchemy import func, select
from tests.release.builders import NOW
from tests.release.harness import Platform

from singlewindow.db.session import unit_of_work
from singlewindow.declaration.repository import lock_keys
from singlewindow.declaration.tables import DocumentRow, MessageRow
from singlewindow.release.workset import Workset, write_new_documents


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
            DocumentRow(
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
        write_new_documents(session)
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
