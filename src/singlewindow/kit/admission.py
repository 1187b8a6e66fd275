"""How many clearance requests one server process works on at once; the rest wait their turn.

Clearance is CPU work under one interpreter lock: a process that takes on every request at once
only makes each of them slower, and each holds database connections while it waits. So a
process admits `SINGLEWINDOW_CLEARANCE_SLOTS` at a time and the others wait, in arrival order as
near as the operating system's scheduling allows, without a connection. The default is one:
on a 2-core machine with 2 server processes, one slot each cleared at least as much as four and
with a lower tail (bench_clearance, SQLite: 761 vs 670 msg/s, p99 389 vs 1,036 ms at 1,000
msg/s offered; PostgreSQL: 576 vs 481 msg/s), since the other process and the database fill
the gaps of the database's round trips. With the database on another machine, more slots may
pay. A request that waits longer than `SINGLEWINDOW_CLEARANCE_WAIT` seconds (default 20) is
refused as `server.busy` (HTTP 503 with Retry-After) and nothing of it is stored: the sender
tries again later.

With several server processes (`serve --workers N` sets `SINGLEWINDOW_SERVER_PROCESSES`), a
clearance answer closes its connection (`Connection: close`). A kept-alive connection stays
with the process that accepted it, so a few busy clients could keep one process full while the
other had nothing: the closed-loop benchmark cleared about 950 msg/s when its three connections
had landed on one process and 1,600 when they were spread. A new connection is accepted by the
process whose event loop gets to it first, which is the one not busy clearing (that one holds
the interpreter lock); one TCP handshake per request of up to 1,000 messages is the price.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from singlewindow.kit.errors import DomainError, Problem

SLOTS_ENV = "SINGLEWINDOW_CLEARANCE_SLOTS"
WAIT_ENV = "SINGLEWINDOW_CLEARANCE_WAIT"
PROCESSES_ENV = "SINGLEWINDOW_SERVER_PROCESSES"
DEFAULT_SLOTS = 1
DEFAULT_WAIT_S = 20.0
RETRY_AFTER_S = 1


BUSY = Problem(
    "server.busy",
    "服务器繁忙，请稍后重新发送（本次未保存任何内容）",
    "the server is busy; send again later (nothing of this request was stored)",
)


class Busy(DomainError):
    """The server has more work than it can take now; try again after `RETRY_AFTER_S`."""


def busy() -> Busy:
    return Busy([BUSY])


class Admission:
    def __init__(
        self,
        slots: int = DEFAULT_SLOTS,
        wait_s: float = DEFAULT_WAIT_S,
        *,
        close_connections: bool = False,
    ) -> None:
        if slots < 1 or wait_s < 0:
            raise ValueError("slots must be at least 1 and the wait not negative")
        self.slots = slots
        self.wait_s = wait_s
        # Several server processes share the port: each answer closes its connection, so the
        # next request goes to whichever process is free (see the module's docstring).
        self.close_connections = close_connections
        self._free = threading.BoundedSemaphore(slots)
        self._count = threading.Lock()
        self.waiting = 0  # requests waiting for a slot now

    @classmethod
    def from_env(cls) -> Admission:
        try:
            slots = int(os.environ.get(SLOTS_ENV) or DEFAULT_SLOTS)
            wait_s = float(os.environ.get(WAIT_ENV) or DEFAULT_WAIT_S)
            processes = int(os.environ.get(PROCESSES_ENV) or 1)
        except ValueError as exc:
            raise ValueError(
                f"{SLOTS_ENV} and {PROCESSES_ENV} are whole numbers, {WAIT_ENV} seconds"
            ) from exc
        return cls(slots, wait_s, close_connections=processes > 1)

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._count:
            self.waiting += 1
        try:
            admitted = self._free.acquire(timeout=self.wait_s)
        finally:
            with self._count:
                self.waiting -= 1
        if not admitted:
            raise busy()
        try:
            yield
        finally:
            self._free.release()
