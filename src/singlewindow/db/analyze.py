"""PostgreSQL's planner statistics, kept up with a young database that grows fast.

The clearance path reads documents, inventories and messages by lists of keys
(`column = ANY(array)`, db.keys). Until a table has been analysed, PostgreSQL knows nothing of
how distinct a column's values are and estimates a lookup of a hundred keys at about half the
table, so it scans the whole table instead of its index. Autovacuum analyses a table only a
minute or more after it changed by a tenth: a fresh zone database that takes a month of traffic
in its first minutes (the demo, the benchmark, a migration from another system) scanned
documents and inventories over and over. In the clearance benchmark (40,000 messages on a fresh
cluster) the sequential scans read 5.6 million document rows and 3.3 million inventory rows, and
the rate fell from 1,284 to 927 messages/s between the first and the last third.

So a server process runs `Analyzer`: every `every_s` seconds it asks PostgreSQL which tables
changed by at least as many rows as they held when last analysed (and at least `floor`), and
analyses those. A growing table is then analysed each time it doubles, a handful of times in
all; beyond that autovacuum's own schedule is the finer one. One process at a time does it (a
session advisory lock); the others skip the round. ANALYZE takes no lock that blocks reading or
writing rows. SQLite needs none of this: its planner takes an index for such lookups anyway.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, text

from singlewindow.kit.rounds import Rounds

log = logging.getLogger(__name__)

# pg_try_advisory_lock key of the round: b"SWANLYZ" as a bigint.
ANALYZE_LOCK_KEY = int.from_bytes(b"SWANLYZ", "big")
DEFAULT_EVERY_S = 2.0
DEFAULT_FLOOR = 500

_STALE = text(
    "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
    "WHERE s.schemaname = current_schema() "
    "AND s.n_mod_since_analyze >= GREATEST(:floor, c.reltuples) ORDER BY s.relname"
)


class Analyzer:
    def __init__(
        self, engine: Engine, every_s: float = DEFAULT_EVERY_S, floor: int = DEFAULT_FLOOR
    ) -> None:
        self.engine = engine
        self.floor = floor
        self.rounds = Rounds("pg-analyze", every_s, self._round)

    def start(self) -> Analyzer:
        """Start the background rounds (PostgreSQL only; elsewhere nothing runs)."""
        if self.engine.dialect.name == "postgresql":
            self.rounds.start()
        return self

    def stop(self) -> None:
        self.rounds.stop()

    def _round(self) -> None:
        try:
            self.run_once()
        except Exception:  # a closing or restarting database: the next round tries again
            log.warning("ANALYZE round failed", exc_info=True)

    def run_once(self) -> list[str]:
        """One round: the tables analysed now (none if another process holds the round)."""
        if self.engine.dialect.name != "postgresql":
            return []
        done: list[str] = []
        with self.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            lock = {"key": ANALYZE_LOCK_KEY}
            if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), lock).scalar():
                return done
            try:
                stale = connection.execute(_STALE, {"floor": self.floor}).scalars().all()
                quote = connection.dialect.identifier_preparer.quote
                for name in stale:
                    connection.exec_driver_sql(f"ANALYZE {quote(name)}")
                    done.append(name)
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), lock)
        if done:
            log.info("analysed %s", ", ".join(done))
        return done
