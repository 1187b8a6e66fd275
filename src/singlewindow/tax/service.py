"""Persisting the tax decided for an inventory and the buyer's yearly quota."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from singlewindow.tax.domain import RateTable, TaxAssessment, TaxRate
from singlewindow.tax.rules import load_default_rates, quota_after
from singlewindow.tax.tables import QuotaUsageRow, TaxBillRow, TaxRateRow

BILL_GENERATED = "1"
BILL_VOIDED = "3"


def quota_used(session: Session, buyer_id_number: str, year: int) -> int:
    row = session.get(QuotaUsageRow, (buyer_id_number, year))
    return row.used_fen if row is not None else 0


def record_tax(
    session: Session,
    inventory_id: int,
    invt_no: str,
    buyer_id_number: str,
    year: int,
    assessment: TaxAssessment,
    now: datetime,
    quota: QuotaUsageRow | None,
) -> QuotaUsageRow:
    """Store the tax bill and use the buyer's quota by the dutiable value, in the transaction of
    the release that causes it. `quota` is the buyer's row of that year when it exists (the
    caller holds the buyer's lock); the row used is returned."""
    session.add(
        TaxBillRow(
            inventory_id=inventory_id,
            invt_no=invt_no,
            buyer_id_number=buyer_id_number,
            year=year,
            dutiable_value_fen=assessment.dutiable_value_fen,
            tariff_fen=assessment.tariff_fen,
            vat_fen=assessment.vat_fen,
            consumption_tax_fen=assessment.consumption_tax_fen,
            total_fen=assessment.total_fen,
            preferential=assessment.preferential,
            lines=[
                {
                    "gnum": line.gnum,
                    "taxable_value_fen": line.taxable_value_fen,
                    "tariff_fen": line.tariff_fen,
                    "vat_fen": line.vat_fen,
                    "consumption_tax_fen": line.consumption_tax_fen,
                }
                for line in assessment.lines
            ],
            status=BILL_GENERATED,
            at=now,
        )
    )
    if quota is None:
        quota = QuotaUsageRow(buyer_id_number=buyer_id_number, year=year, used_fen=0)
        session.add(quota)
    quota.used_fen = quota_after(quota.used_fen, assessment.dutiable_value_fen)
    return quota


def give_back_quota(session: Session, inventory_id: int, now: datetime, reason: str) -> int:
    """Void the inventory's tax bill and give its dutiable value back to the buyer's quota of
    the year it was used in. Returns the tax voided, in fen (0 when there was no bill)."""
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
    row = session.get(QuotaUsageRow, (bill.buyer_id_number, bill.year))
    if row is not None:
        row.used_fen = quota_after(row.used_fen, -bill.dutiable_value_fen)
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
