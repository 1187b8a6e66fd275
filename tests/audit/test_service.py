"""The audit chain on a real database: appends, tampering found, queued records, concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from singlewindow.audit import service
from singlewindow.audit.domain import GENESIS_HASH, Action, AuditEntry, Break
from singlewindow.db.session import unit_of_work
from singlewindow.kit.clock import FixedClock


def _fill(factory: sessionmaker[Session], clock: FixedClock, n: int) -> None:
    with unit_of_work(factory) as session:
        for i in range(1, n + 1):
            service.append(
                session,
                actor=f"user:{i % 3}",
                action=Action.INVENTORY_TRANSITION,
                subject=f"inventory:4621202600000000{i:02d}",
                details={"from": "120", "to": "800", "reasons": ["ok"], "n": i, "名": "张三"},
                at=clock() + timedelta(seconds=i),
            )


def _tamper(session: Session, *statements: str) -> None:
    """What someone with the database owner's rights could do: lift the guard and change rows."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        session.execute(text("DROP TRIGGER audit_log_no_update"))
        session.execute(text("DROP TRIGGER audit_log_no_delete"))
    for statement in statements:
        session.execute(text(statement))


def _verify(factory: sessionmaker[Session]) -> tuple[bool, int | None, Break | None, int]:
    with factory() as session:
        r = service.verify(session)
    return r.intact, r.first_broken_seq, r.reason, r.records


def test_chain_is_intact_after_appends(
    session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    _fill(session_factory, clock, 25)
    with session_factory() as session:
        result = service.verify(session)
        latest = service.list_latest(session, 3)
        first = service.list_latest(session, 25)[0]
    assert (result.intact, result.records, result.first_broken_seq) == (True, 25, None)
    assert [r.seq for r in latest] == [23, 24, 25]
    assert result.head_hash == latest[-1].hash
    assert first.prev_hash == GENESIS_HASH
    assert first.details == {"from": "120", "to": "800", "reasons": ["ok"], "n": 1, "名": "张三"}
    assert first.at == clock() + timedelta(seconds=1)


def test_empty_log_is_intact(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        result = service.verify(session)
    assert (result.intact, result.records, result.head_hash) == (True, 0, GENESIS_HASH)


@pytest.mark.parametrize(
    ("statements", "seq", "reason"),
    [
        pytest.param(
            ["UPDATE audit_log SET details = '{\"n\": 99}' WHERE seq = 7"],
            7,
            Break.HASH_MISMATCH,
            id="edited_details_case",
        ),
        pytest.param(
            ["UPDATE audit_log SET actor = 'someone else' WHERE seq = 1"],
            1,
            Break.HASH_MISMATCH,
            id="edited_actor_of_first_case",
        ),
        pytest.param(
            ["DELETE FROM audit_log WHERE seq = 5"], 5, Break.RECORD_MISSING, id="deleted_case"
        ),
        pytest.param(
            ["DELETE FROM audit_log WHERE seq = 1"],
            1,
            Break.RECORD_MISSING,
            id="deleted_first_case",
        ),
        pytest.param(
            [
                "UPDATE audit_log SET seq = 1000 WHERE seq = 3",
                "UPDATE audit_log SET seq = 3 WHERE seq = 4",
                "UPDATE audit_log SET seq = 4 WHERE seq = 1000",
            ],
            3,
            Break.CHAIN_BROKEN,
            id="swapped_order_case",
        ),
        pytest.param(
            [
                "UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE seq = 8)"
                " WHERE seq = 10",
                "DELETE FROM audit_log WHERE seq = 9",
                "UPDATE audit_log SET seq = 9 WHERE seq = 10",
            ],
            9,
            Break.HASH_MISMATCH,
            id="removed_and_relinked_case",
        ),
    ],
)
def test_tampering_names_the_first_broken_record(
    session_factory: sessionmaker[Session],
    clock: FixedClock,
    statements: list[str],
    seq: int,
    reason: Break,
) -> None:
    _fill(session_factory, clock, 12)
    with unit_of_work(session_factory) as session:
        _tamper(session, *statements)
    intact, broken, why, records = _verify(session_factory)
    assert (intact, broken, why, records) == (False, seq, reason, seq - 1)


def test_anchor_catches_records_removed_from_the_end(
    session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    _fill(session_factory, clock, 6)
    with session_factory() as session:
        head = service.verify(session)
    with unit_of_work(session_factory) as session:
        _tamper(session, "DELETE FROM audit_log WHERE seq >= 5")
    with session_factory() as session:
        plain = service.verify(session)
        anchored = service.verify(session, anchor=(6, head.head_hash))
    assert (plain.intact, plain.records) == (True, 4)
    assert (anchored.intact, anchored.first_broken_seq, anchored.reason) == (
        False,
        5,
        Break.TRUNCATED,
    )


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("UPDATE audit_log SET actor = 'x' WHERE seq = 1", id="update_case"),
        pytest.param("DELETE FROM audit_log WHERE seq = 1", id="delete_case"),
    ],
)
def test_database_refuses_changes_to_records(
    session_factory: sessionmaker[Session], clock: FixedClock, statement: str
) -> None:
    _fill(session_factory, clock, 2)
    with pytest.raises(DBAPIError, match="append-only"), unit_of_work(session_factory) as session:
        session.execute(text(statement))
    assert _verify(session_factory) == (True, None, None, 2)


def test_recorded_entries_are_written_at_commit_and_dropped_on_rollback(
    session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    with unit_of_work(session_factory) as session:
        for n in range(3):
            service.record(
                session,
                actor="user:1",
                action=Action.PERSONAL_DATA_READ,
                subject=f"inventory:{n}",
                details={"fields": ["buyerIdNumber"]},
                at=clock(),
            )
        assert service.list_latest(session, 10) == []
    with pytest.raises(RuntimeError), unit_of_work(session_factory) as session:
        service.record(session, actor="user:2", action="x.y", subject="s", at=clock())
        raise RuntimeError("the request failed")
    with unit_of_work(session_factory) as session:
        pass  # a later commit on a session from the same factory writes nothing left over
    with session_factory() as session:
        rows = service.list_latest(session, 10)
        result = service.verify(session)
    assert [(r.seq, r.actor, r.subject) for r in rows] == [
        (1, "user:1", "inventory:0"),
        (2, "user:1", "inventory:1"),
        (3, "user:1", "inventory:2"),
    ]
    assert (result.intact, result.records) == (True, 3)


def test_append_many_chains_in_order(
    session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    _fill(session_factory, clock, 2)
    entries = [AuditEntry("cli", Action.REGISTRY_IMPORT, f"person:{i}", clock()) for i in range(4)]
    with unit_of_work(session_factory) as session:
        sealed = service.append_many(session, entries)
    with session_factory() as session:
        result = service.verify(session)
        about = service.list_for_subject(session, "person:2")
    assert [r.seq for r in sealed] == [3, 4, 5, 6]
    assert [r.seq for r in about] == [5]
    assert (result.intact, result.records, result.head_hash) == (True, 6, sealed[-1].hash)


def test_concurrent_appenders_keep_one_chain(
    engine: Engine, session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    threads, each = 4, 15
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(t: int) -> None:
        try:
            start.wait()
            for i in range(each):
                with unit_of_work(session_factory) as session:
                    service.record(
                        session, actor=f"t{t}", action="test.append", subject=str(i), at=clock()
                    )
        except BaseException as error:  # reported below, in the test thread
            errors.append(error)

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    result = _verify(session_factory)
    assert result == (True, None, None, threads * each)


def test_a_second_appender_waits_for_the_first_to_commit(
    session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    """The lock is taken before the last hash is read: without it the second appender would
    read an empty chain, take seq 1 too and fail at commit."""
    done = threading.Event()
    seqs: list[int] = []

    def second() -> None:
        with unit_of_work(session_factory) as session:
            seqs.append(
                service.append(session, actor="b", action="t.b", subject="b", at=clock()).seq
            )
        done.set()

    with unit_of_work(session_factory) as first:
        seqs.append(service.append(first, actor="a", action="t.a", subject="a", at=clock()).seq)
        thread = threading.Thread(target=second)
        thread.start()
        waited = not done.wait(0.3)
    thread.join(timeout=30)
    assert (waited, seqs) == (True, [1, 2])
    assert _verify(session_factory) == (True, None, None, 2)
