"""The recorder: one call per inventory status move, adding it to the daily roll-ups.

It runs inside the clearance transaction (release's `move_inventory` calls it), so a roll-up
never counts a move that was rolled back. Cost: one seller lookup (cached by the session's
identity map) and two to four upsert statements.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Insert, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from singlewindow.db.bulk import execute_many
from singlewindow.recording import rules
from singlewindow.recording.domain import STRIPES, Keyed, RollupRows
from singlewindow.recording.tables import DailyRow, LatencyRow, RefusalRow, ZoneDailyRow
from singlewindow.registry.tables import EnterpriseRow


class MovedInventory(Protocol):
    """What the recorder reads of an inventory that moves (an ORM row or a plain one)."""

    @property
    def id(self) -> int: ...
    @property
    def direction(self) -> str: ...
    @property
    def trade_mode(self) -> str: ...
    @property
    def ebc_code(self) -> str: ...


def record_transition(
    session: Session,
    *,
    inventory: MovedInventory,
    body: Mapping[str, Any],
    from_status: str,
    to_status: str,
    reasons: Sequence[str],
    at: datetime,
    declared_at: datetime | None,
    tax_fen: int = 0,
) -> None:
    """Add one status move of an inventory to the roll-ups.

    `body` is the inventory document (the standard's JSON form), `declared_at` when it was
    declared (for the declaration → release latency), `tax_fen` the tax bill written (+) or
    voided (−) by this move. County and park come from the seller's filing as it is now.
    """
    rows = rows_for_transition(
        session,
        inventory=inventory,
        body=body,
        from_status=from_status,
        to_status=to_status,
        reasons=reasons,
        at=at,
        declared_at=declared_at,
        tax_fen=tax_fen,
    )
    if rows is not None:
        write_rows(session, rows)


def rows_for_transition(
    session: Session,
    *,
    inventory: MovedInventory,
    body: Mapping[str, Any],
    from_status: str,
    to_status: str,
    reasons: Sequence[str],
    at: datetime,
    declared_at: datetime | None,
    tax_fen: int = 0,
) -> RollupRows | None:
    """What one move adds to the roll-ups, without writing it (a batch writes many at once)."""
    county, park = _place_of_seller(session, inventory.ebc_code)
    dims = rules.dimensions_of(
        body,
        direction=inventory.direction,
        trade_mode=inventory.trade_mode,
        ebc_code=inventory.ebc_code,
        county=county,
        park=park,
    )
    events = rules.events_of(from_status, to_status, reasons, dims.value_fen, tax_fen)
    if not events:
        return None
    latency = int((at - declared_at).total_seconds()) if declared_at is not None else None
    return rules.rollup_rows(
        dims,
        events,
        day=rules.day_of(at),
        stripe=(inventory.id or 0) % STRIPES,
        reasons=reasons,
        latency_seconds=latency,
    )


_PLACES = "singlewindow.recording.places"


def _place_of_seller(session: Session, ebc_code: str) -> tuple[str, str]:
    """(county, park) of the seller's filing, read once per session: the identity map holds its
    rows weakly, so a lookup per move would go to the database each time."""
    if not ebc_code:
        return "", ""
    places: dict[str, tuple[str, str]] = session.info.setdefault(_PLACES, {})
    place = places.get(ebc_code)
    if place is None:
        seller = session.get(EnterpriseRow, ebc_code)
        place = ((seller.county or ""), (seller.park or "")) if seller is not None else ("", "")
        places[ebc_code] = place
    return place


def remember_places(session: Session, places: Mapping[str, tuple[str, str]]) -> None:
    """Sellers' (county, park) already read by the caller, so the moves need no lookup."""
    session.info.setdefault(_PLACES, {}).update(places)


def merge(rows: Sequence[RollupRows]) -> RollupRows:
    """Many moves' rows as one batch (`write_rows` folds equal keys)."""
    return RollupRows(
        daily=tuple(r for part in rows for r in part.daily),
        zone=tuple(r for part in rows for r in part.zone),
        latency=tuple(r for part in rows for r in part.latency),
        refusals=tuple(r for part in rows for r in part.refusals),
    )


def write_rows(session: Session, rows: RollupRows) -> None:
    """Upsert a batch of roll-up rows (also used to load many moves at once)."""
    upsert(session, DailyRow.__table__, rows.daily)  # type: ignore[arg-type]
    upsert(session, ZoneDailyRow.__table__, rows.zone)  # type: ignore[arg-type]
    upsert(session, LatencyRow.__table__, rows.latency)  # type: ignore[arg-type]
    upsert(session, RefusalRow.__table__, rows.refusals)  # type: ignore[arg-type]


def upsert(session: Session, table: Table, rows: Sequence[Keyed]) -> None:
    """Insert rows keyed by the table's primary key, adding the measures on conflict (one
    executemany of a statement compiled once per table and dialect)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement, names = _upsert_statement(dialect, table)
    # Sorted by key: concurrent batches then lock the rows they share in the same order and
    # cannot deadlock on them (PostgreSQL).
    folded = sorted(rules.fold(rows), key=lambda pair: tuple(str(k) for k in pair[0]))
    values = [dict(zip(names, (*key, *sums), strict=True)) for key, sums in folded]
    execute_many(session.connection(), statement, values)


@functools.cache
def _upsert_statement(dialect: str, table: Table) -> tuple[Insert, tuple[str, ...]]:
    keys = [c.name for c in table.primary_key.columns]
    measures = [c.name for c in table.columns if not c.primary_key]
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={m: table.c[m] + getattr(statement.excluded, m) for m in measures},
    )
    return statement, (*keys, *measures)
