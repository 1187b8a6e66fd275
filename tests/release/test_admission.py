"""A server process admits a few clearance requests at a time (kit.admission): the others wait
without a database connection, and one that waits too long is refused as server.busy (503,
Retry-After) with nothing stored, then goes through when sent again."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from tests.release.builders import Parcel, import_docs
from tests.release.harness import HttpZone, Keys, Platform, file_zone_over_http

from singlewindow.declaration.tables import DocumentRow
from singlewindow.kit.admission import PROCESSES_ENV, SLOTS_ENV, WAIT_ENV, Admission, Busy
from singlewindow.release import service

BUSY_BODY = {
    "errors": [
        {
            "code": "server.busy",
            "path": "",
            "line": None,
            "record": "",
            "message_zh": "服务器繁忙，请稍后重新发送（本次未保存任何内容）",
            "message_en": "the server is busy; send again later (nothing of this request was "
            "stored)",
        }
    ]
}


@pytest.fixture
def zone(client: TestClient, session_factory: sessionmaker[Session], keys: Keys) -> HttpZone:
    return file_zone_over_http(client, session_factory, keys)


def _documents(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(DocumentRow)) or 0


def _order(client: TestClient, zone: HttpZone, keys: Keys) -> Any:
    doc = import_docs(Parcel(1))["CEB311"]
    return client.post(
        "/messages",
        content=keys.sign(doc),
        headers={**zone.of(doc.sender), "Content-Type": "application/xml"},
    )


def test_a_request_that_waits_too_long_is_refused_busy_and_stores_nothing(
    client: TestClient, zone: HttpZone, keys: Keys, session_factory: sessionmaker[Session]
) -> None:
    admission = client.app.state.admission = Admission(slots=1, wait_s=0.05)  # type: ignore[attr-defined]
    with admission.slot():  # another request holds the only slot
        refused = _order(client, zone, keys)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert refused.json() == BUSY_BODY
    assert _documents(session_factory) == 0
    again = _order(client, zone, keys)
    assert again.status_code == 200
    assert [r["returnStatus"] for r in again.json()["receipts"]] == ["120"]
    assert _documents(session_factory) == 1


def test_a_waiting_request_holds_no_connection_and_goes_on_when_a_slot_frees(
    client: TestClient, zone: HttpZone, keys: Keys
) -> None:
    admission = client.app.state.admission = Admission(slots=1, wait_s=30)  # type: ignore[attr-defined]
    pool = client.app.state.engine.pool  # type: ignore[attr-defined]
    answers: list[Any] = []
    with admission.slot():
        sender = threading.Thread(target=lambda: answers.append(_order(client, zone, keys)))
        sender.start()
        deadline = time.monotonic() + 10
        while admission.waiting == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert admission.waiting == 1
        assert pool.checkedout() == 0  # the key's lookup gave its connection back
    sender.join(timeout=30)
    assert [r["returnStatus"] for r in answers[0].json()["receipts"]] == ["120"]


def test_no_free_database_connection_is_answered_busy(
    client: TestClient, zone: HttpZone, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(*_args: Any, **_kwargs: Any) -> Any:
        raise PoolTimeout("QueuePool limit reached")

    monkeypatch.setattr(service, "submit_with_retry", exhausted)
    response = _order(client, zone, keys)
    assert (response.status_code, response.headers["Retry-After"]) == (503, "1")
    assert response.json() == BUSY_BODY


def test_admission_lets_in_as_many_as_it_has_slots() -> None:
    admission = Admission(slots=2, wait_s=0.05)
    with admission.slot(), admission.slot():
        with pytest.raises(Busy) as refused, admission.slot():
            pass
        assert refused.value.code == "server.busy"
    with admission.slot():  # freed again
        assert admission.waiting == 0


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({}, (1, 20.0), id="default_case"),
        pytest.param({SLOTS_ENV: "2", WAIT_ENV: "0.5"}, (2, 0.5), id="set_case"),
    ],
)
def test_admission_from_env(
    env: dict[str, str], expected: tuple[int, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SLOTS_ENV, raising=False)
    monkeypatch.delenv(WAIT_ENV, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    admission = Admission.from_env()
    assert (admission.slots, admission.wait_s) == expected


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({SLOTS_ENV: "many"}, id="slots_not_a_number_case"),
        pytest.param({SLOTS_ENV: "0"}, id="no_slots_case"),
        pytest.param({WAIT_ENV: "-1"}, id="negative_wait_case"),
        pytest.param({PROCESSES_ENV: "two"}, id="processes_not_a_number_case"),
    ],
)
def test_admission_from_env_refuses(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError):
        Admission.from_env()


@pytest.mark.parametrize(
    ("processes", "closes"),
    [
        pytest.param(None, False, id="one_process_keeps_alive_case"),
        pytest.param("1", False, id="one_process_set_case"),
        pytest.param("2", True, id="several_processes_close_case"),
    ],
)
def test_clearance_answers_close_their_connection_when_processes_share_the_port(
    client: TestClient,
    zone: HttpZone,
    keys: Keys,
    monkeypatch: pytest.MonkeyPatch,
    processes: str | None,
    closes: bool,
) -> None:
    """A kept-alive connection stays with one process: with several, each clearance answer
    closes it, so the client's next request is accepted by a free process."""
    if processes is None:
        monkeypatch.delenv(PROCESSES_ENV, raising=False)
    else:
        monkeypatch.setenv(PROCESSES_ENV, processes)
    client.app.state.admission = Admission.from_env()  # type: ignore[attr-defined]
    answer = _order(client, zone, keys)
    assert answer.status_code == 200
    assert [r["returnStatus"] for r in answer.json()["receipts"]] == ["120"]
    assert (answer.headers.get("connection") == "close") is closes
    assert client.get("/health").headers.get("connection") != "close"  # only clearance answers


class _Deadlock(Exception):
    sqlstate = "40P01"


class _Broken(Exception):
    sqlstate = "42P01"


def test_contention_on_every_attempt_is_refused_busy(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL broke a wait cycle on every attempt (seen under overload in bench_clearance):
    a 503 to send again, not a 500."""
    attempts: list[int] = []

    def deadlocked(*_args: Any, **_kwargs: Any) -> Any:
        attempts.append(1)
        raise OperationalError("SELECT pg_advisory_xact_lock(...)", {}, _Deadlock())

    monkeypatch.setattr(service, "submit_decoded", deadlocked)
    with pytest.raises(Busy) as refused:
        service.clear_with_retry(platform.factory, platform.ctx, [], attempts=3)
    assert refused.value.code == "server.busy"
    assert len(attempts) == 3


def test_an_error_that_is_not_contention_is_not_retried(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[int] = []

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        attempts.append(1)
        raise OperationalError("SELECT 1", {}, _Broken())

    monkeypatch.setattr(service, "submit_decoded", broken)
    with pytest.raises(OperationalError):
        service.clear_with_retry(platform.factory, platform.ctx, [], attempts=3)
    assert len(attempts) == 1
