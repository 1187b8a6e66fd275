"""Persisting the tax decided for an inventory and the buyer's yearly quota."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, delete, event, select, update
from sqlalchemy.orm import Session

from singlewindow.db.bulk import execute_many, insert_rows
from singlewindow.db.keys import chunked, one_of
from singlewindow.db.session import transaction_state
from singlewindow.declaration.rows import write_rows
from singlewindow.tax.domain import RateTable, TaxAssessment, TaxRate
from singlewindow.tax.rules import load_default_rates, quota_after
from singlewindow.tax.tables import QuotaUsageRow, TaxBillRow, TaxRateRow

BILL_GENERATED = "1"
BILL_VOIDED = "3"


def quota_used(session: Session, buyer_id_number: str, year: int) -> int:
    row = session.get(QuotaUsageRow, (buyer_id_number, year))
    return row.used_fen if row is not None else 0


@dataclass(slots=True)
class Quota:
    """A buyer's quota used in one year, as this transaction sees it; `saved` is the value
    stored (None when the row does not exist yet)."""

    buyer_id_number: str
    year: int
    used_fen: int
    saved: int | None = None


@dataclass(slots=True)
class _Pending:
    """Per transaction: the quota rows read or made (and whose buyers were read), and the tax
    bills made, written with the transaction's other rows (`write_pending`) instead of through
    the ORM's unit of work."""

    quotas: dict[tuple[str, int], Quota] = field(default_factory=dict)
    buyers_read: set[str] = field(default_factory=set)
    bills: list[dict[str, Any]] = field(default_factory=list)


_PENDING = "singlewindow.tax.pending"
_QUOTA_TABLE: Table = QuotaUsageRow.__table__  # type: ignore[assignment]
_BILL_TABLE: Table = TaxBillRow.__table__  # type: ignore[assignment]
_SET_QUOTA = (
    update(_QUOTA_TABLE)
    .where(
        _QUOTA_TABLE.c.buyer_id_number == bindparam("_buyer"),
        _QUOTA_TABLE.c.year == bindparam("_year"),
    )
    .values(used_fen=bindparam("v_used_fen"))
)


def _pending(session: Session) -> _Pending:
    return transaction_state(session, _PENDING, _Pending)


def quotas(session: Session) -> dict[tuple[str, int], Quota]:
    """The transaction's quota rows by (buyer, year): every reader and writer of the quota in
    the transaction shares them."""
    return _pending(session).quotas


def load_quotas(session: Session, buyers: Collection[str]) -> None:
    """Read the stored quota rows (every year) of buyers not read yet in this transaction."""
    pending = _pending(session)
    wanted = set(buyers) - pending.buyers_read - {""}
    t = _QUOTA_TABLE.c
    dialect = session.get_bind().dialect.name
    for chunk in chunked(wanted):
        where = one_of(dialect, t.buyer_id_number, chunk)
        stmt = select(t.buyer_id_number, t.year, t.used_fen).where(where)
        for buyer, year, used in session.connection().execute(stmt):
            pending.quotas.setdefault((buyer, year), Quota(buyer, year, used, used))
    pending.buyers_read.update(wanted)


def record_tax(
    session: Session,
    inventory_id: int,
    invt_no: str,
    buyer_id_number: str,
    year: int,
    assessment: TaxAssessment,
    now: datetime,
) -> Quota:
    """Store the tax bill and use the buyer's quota by the dutiable value, in the transaction of
    the release that causes it (the caller holds the buyer's lock and has loaded the buyer's
    quota with `load_quotas`); the quota row used is returned."""
    pending = _pending(session)
    pending.bills.append(
        {
            "inventory_id": inventory_id,
            "invt_no": invt_no,
            "buyer_id_number": buyer_id_number,
            "year": year,
            "dutiable_value_fen": assessment.dutiable_value_fen,
            "tariff_fen": assessment.tariff_fen,
            "vat_fen": assessment.vat_fen,
            "consumption_tax_fen": assessment.consumption_tax_fen,
            "total_fen": assessment.total_fen,
            "preferential": assessment.preferential,
            "lines": [
                {
                    "gnum": line.gnum,
                    "taxable_value_fen": line.taxable_value_fen,
                    "tariff_fen": line.tariff_fen,
                    "vat_fen": line.vat_fen,
                    "consumption_tax_fen": line.consumption_tax_fen,
                }
                for line in assessment.lines
            ],
            "status": BILL_GENERATED,
            "at": now,
            "voided_at": None,
            "void_reason": "",
        }
    )
    quota = pending.quotas.get((buyer_id_number, year))
    if quota is None:
        quota = pending.quotas[(buyer_id_number, year)] = Quota(buyer_id_number, year, 0)
    quota.used_fen = quota_after(quota.used_fen, assessment.dutiable_value_fen)
    return quota


def write_pending(session: Session) -> None:
    """Write the transaction's new tax bills and changed quota rows (after the documents and
    inventories they refer to)."""
    pending: _Pending | None = session.info.get(_PENDING)  # a peek: none made for nothing
    if pending is None or not (pending.bills or pending.quotas):
        return
    write_rows(session)
    connection = session.connection()
    bills, pending.bills = pending.bills, []
    insert_rows(connection, _BILL_TABLE, bills)
    new, changed = [], []
    for quota in pending.quotas.values():
        if quota.saved is None:
            new.append(
                {
                    "buyer_id_number": quota.buyer_id_number,
                    "year": quota.year,
                    "used_fen": quota.used_fen,
                }
            )
        elif quota.used_fen != quota.saved:
            changed.append(
                {"_buyer": quota.buyer_id_number, "_year": quota.year, "v_used_fen": quota.used_fen}
            )
        else:
            continue
        quota.saved = quota.used_fen
    insert_rows(connection, _QUOTA_TABLE, new)
    execute_many(connection, _SET_QUOTA, changed)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    write_pending(session)


def give_back_quota(session: Session, inventory_id: int, now: datetime, reason: str) -> int:
    """Void the inventory's tax bill and give its dutiable value back to the buyer's quota of
    the year it was used in. Returns the tax voided, in fen (0 when there was no bill)."""
    write_pending(session)
    session.flush()
    bill = session.scalars(
        select(TaxBillRow).where(
            TaxBillRow.inventory_id == inventory_id, TaxBillRow.status == BILL_GENERATED
        )
    ).first()
    if bill is None:
        return 0
    bill.status = BILL_VOIDED
    bill.voided_at = now
    bill.void_reason = reason
    load_quotas(session, [bill.buyer_id_number])
    quota = quotas(session).get((bill.buyer_id_number, bill.year))
    if quota is not None:
        quota.used_fen = quota_after(quota.used_fen, -bill.dutiable_value_fen)
    return bill.total_fen


def find_bill(session: Session, inventory_id: int) -> TaxBillRow | None:
    return session.scalars(
        select(TaxBillRow).where(TaxBillRow.inventory_id == inventory_id)
    ).first()


def load_default_rates_into(session: Session) -> int:
    """Put the packaged default rates in force when no rates are stored; returns rows added."""
    if session.scalars(select(TaxRateRow.hs_code).limit(1)).first() is not None:
        return 0
    table = load_default_rates()
    for rate in table.rates.values():
        session.add(_row_of(rate))
    session.flush()
    return len(table.rates)


def replace_rates(session: Session, table: RateTable) -> int:
    """The zone replaces the whole rate table (e.g. after a tariff change)."""
    session.execute(delete(TaxRateRow))
    for rate in table.rates.values():
        session.add(_row_of(rate))
    session.flush()
    return len(table.rates)


def rate_table(session: Session) -> RateTable:
    rows = session.scalars(select(TaxRateRow)).all()
    return RateTable(
        {
            r.hs_code: TaxRate(
                hs_code=r.hs_code,
                vat_rate=Decimal(r.vat_rate),
                ct_rate=Decimal(r.ct_rate),
                ct_rule=r.ct_rule,
                mfn_rate=Decimal(r.mfn_rate),
                source=r.source,
                confirmed=r.confirmed,
            )
            for r in rows
        }
    )


def _row_of(rate: TaxRate) -> TaxRateRow:
    return TaxRateRow(
        hs_code=rate.hs_code,
        vat_rate=str(rate.vat_rate),
        ct_rate=str(rate.ct_rate),
        ct_rule=str(rate.ct_rule),
        mfn_rate=str(rate.mfn_rate),
        source=rate.source,
        confirmed=rate.confirmed,
    )
