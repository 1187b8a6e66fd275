"""db.analyze.Analyzer: PostgreSQL's statistics follow a table that grows fast; SQLite has no
such thing to keep."""

from __future__ import annotations

import time

from sqlalchemy import Engine, text

from singlewindow.db.analyze import ANALYZE_LOCK_KEY, Analyzer


def _grow(engine: Engine, rows: int, prefix: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO parcels_seen (k) SELECT :p || g FROM generate_series(1, :n) g")
            if engine.dialect.name == "postgresql"
            else text(
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :n) "
                "INSERT INTO parcels_seen (k) SELECT :p || n FROM g"
            ),
            {"n": rows, "p": prefix},
        )
        if engine.dialect.name == "postgresql":
            # Counters reach the statistics views when a backend reports them; make it now.
            connection.execute(text("SELECT pg_stat_force_next_flush()"))


def _create(engine: Engine) -> None:
    # Autovacuum kept off this table, so only the Analyzer analyses it during the test.
    options = " WITH (autovacuum_enabled = false)" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE parcels_seen (k VARCHAR(40) PRIMARY KEY){options}"))


def _counted(engine: Engine, rows: int, seconds: float = 10.0) -> None:
    """Wait until PostgreSQL's counters show `rows` changes since the last analysis, so that a
    round that analyses nothing does so for its own reason, not for counters not yet arrived."""
    deadline = time.monotonic() + seconds
    while True:
        with engine.connect() as connection:
            seen = connection.execute(
                text(
                    "SELECT n_mod_since_analyze FROM pg_stat_user_tables "
                    "WHERE relname = 'parcels_seen'"
                )
            ).scalar_one()
        if seen >= rows:
            return
        assert time.monotonic() < deadline, f"{seen} changes counted, {rows} made"
        time.sleep(0.05)


def _rounds(analyzer: Analyzer, wanted: str, seconds: float = 10.0) -> list[str]:
    """Rounds until `wanted` is analysed (the counters arrive a moment after the commit)."""
    deadline = time.monotonic() + seconds
    done: list[str] = []
    while wanted not in done and time.monotonic() < deadline:
        done += analyzer.run_once()
        time.sleep(0.1)
    return done


def test_a_table_is_analysed_each_time_it_doubles(engine: Engine) -> None:
    _create(engine)
    analyzer = Analyzer(engine, floor=500)
    _grow(engine, 400, "a")
    if engine.dialect.name != "postgresql":
        assert analyzer.run_once() == []
        assert not analyzer.start().rounds.running  # no thread where there is nothing to keep
        return
    _counted(engine, 400)
    assert analyzer.run_once() == []  # under the floor: autovacuum's business
    _grow(engine, 1_600, "b")  # 2,000 rows, never analysed
    assert _rounds(analyzer, "parcels_seen") == ["parcels_seen"]
    with engine.connect() as connection:
        tuples = connection.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'parcels_seen'")
        ).scalar_one()
    assert tuples == 2_000
    _grow(engine, 1_000, "c")  # half the size at the last analysis: not yet
    _counted(engine, 1_000)
    assert analyzer.run_once() == []
    _grow(engine, 1_000, "d")
    assert _rounds(analyzer, "parcels_seen") == ["parcels_seen"]  # 2,000 more: doubled


def test_one_process_analyses_at_a_time(engine: Engine) -> None:
    """While another process holds the round's lock, a round does nothing."""
    if engine.dialect.name != "postgresql":
        assert Analyzer(engine).run_once() == []
        return
    _create(engine)
    _grow(engine, 2_000, "a")
    _counted(engine, 2_000)
    with engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ANALYZE_LOCK_KEY})
        assert Analyzer(engine).run_once() == []
        holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ANALYZE_LOCK_KEY})
        holder.commit()
    assert _rounds(Analyzer(engine), "parcels_seen") == ["parcels_seen"]
