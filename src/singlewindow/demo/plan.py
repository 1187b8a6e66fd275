"""What a parcel is before it becomes messages: its parties, goods, money, times and defect."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from singlewindow.demo.zone import ZoneCommodity, ZonePerson


class Defect(StrEnum):
    """A realistic fault planted in a parcel, so the demo shows the platform catching it."""

    NONE = "none"
    AMOUNT_MISMATCH = "amount_mismatch"  # CEB411 amountPaid differs from CEB311 acturalPaid
    MISSING_PAYMENT = "missing_payment"  # the CEB411 is never sent
    CONSIGNEE_MISMATCH = "consignee_mismatch"  # CEB511 consignee address differs from CEB311
    BAD_BUYER_ID = "bad_buyer_id"  # buyer ID number with a wrong GB 11643 check digit
    OVER_SINGLE_LIMIT = "over_single_limit"  # dutiable value over 5,000 CNY, several items
    ANNUAL_QUOTA = "annual_quota"  # this order takes its buyer over 26,000 CNY in the year
    NEGATIVE_COMMODITY = "negative_commodity"  # goods outside the retail-import positive list
    DISHONEST_SELLER = "dishonest_seller"  # seller of credit class dishonest: inspection likelier


# What the platform should do with a parcel of each defect: an outcome and the reason family.
EXPECTED: Mapping[Defect, tuple[str, str]] = {
    Defect.NONE: ("released", ""),
    Defect.AMOUNT_MISMATCH: ("refused", "comparison.amount_mismatch"),
    Defect.MISSING_PAYMENT: ("waiting", "comparison.payment_missing"),
    Defect.CONSIGNEE_MISMATCH: ("refused", "comparison.consignee_mismatch"),
    Defect.BAD_BUYER_ID: ("refused", "identity.check_digit"),
    Defect.OVER_SINGLE_LIMIT: ("refused", "tax.single_limit_exceeded"),
    Defect.ANNUAL_QUOTA: ("refused", "tax.annual_quota_exceeded"),
    Defect.NEGATIVE_COMMODITY: ("refused", "risk.negative_commodity"),
    Defect.DISHONEST_SELLER: ("released", "risk.selected_for_inspection"),
}


@dataclass(frozen=True, slots=True)
class PlanLine:
    gnum: int
    commodity: ZoneCommodity
    qty: int
    price: Decimal
    total_price: Decimal


@dataclass(frozen=True, slots=True)
class ParcelPlan:
    """One parcel of the month: everything its messages say, and the defect planted in it.

    `times` maps each message type that is sent (CEB311…) to when it is sent; a type missing
    from it is never sent. Import money: acturalPaid = goods_value + freight + tax_total −
    discount; `amount_paid` is what CEB411 says (equal unless the defect says otherwise).
    Export: `amount_paid` is the CEB403 charge = goods_value + freight.
    """

    index: int
    direction: str  # "I" import, "E" export
    defect: Defect
    order_no: str
    logistics_no: str
    pay_transaction_id: str
    ebp_code: str
    ebc_code: str
    pay_code: str
    logistics_code: str
    agent_code: str
    trade_mode: str
    buyer: ZonePerson | None  # the buyer (and payer) of an import parcel
    buyer_id_number: str  # as written on the documents
    consignee: ZonePerson | None
    waybill_address: str  # the consignee address the waybill carries
    lines: tuple[PlanLine, ...]
    goods_value: Decimal
    freight: Decimal
    insured_fee: Decimal
    discount: Decimal
    tax_total: Decimal
    actural_paid: Decimal
    amount_paid: Decimal
    gross_weight: Decimal
    destination: tuple[str, str]  # export: (运抵国, 指运港); import: (起运国, "")
    statistics_flag: str  # export: A or B
    times: Mapping[str, datetime]

    @property
    def expected(self) -> tuple[str, str]:
        return EXPECTED[self.defect]

    @property
    def dutiable_value(self) -> Decimal:
        return self.goods_value + self.freight + self.insured_fee


@dataclass(frozen=True, slots=True)
class ArrivalBatch:
    """Export parcels one logistics firm trucks to the supervised site, then flies out."""

    index: int
    logistics_code: str
    logistics_nos: tuple[str, ...]
    arrival_at: datetime
    departure_at: datetime


@dataclass(frozen=True, slots=True)
class MonthPlan:
    year: int
    month: int
    seed: int
    parcels: tuple[ParcelPlan, ...]
    batches: tuple[ArrivalBatch, ...]
