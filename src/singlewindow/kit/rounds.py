"""A piece of upkeep run in rounds by a daemon thread of a long-running process (the SQLite
checkpointer, the PostgreSQL analyzer): every `every_s` seconds until stopped."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Rounds:
    def __init__(self, name: str, every_s: float, round_: Callable[[], object]) -> None:
        self.name = name
        self.every_s = every_s
        self._round = round_
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self._round()  # a round catches and logs its own failures
