"""A small stand-in for the import retail tax, so the demo's platforms withhold plausible tax.

The clearance path assesses tax with `singlewindow.tax.rules`; `traffic` takes any function of
this shape, so the lead can plug that assessment in. Rule (财关税〔2016〕18号, 〔2018〕49号):
within the limits tariff is 0 and VAT and consumption tax are due at 70 % of the statutory amount;
the dutiable value is goods + freight + insurance (a discount is not deducted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from singlewindow.demo.plan import PlanLine
from singlewindow.kit.money import Fen, yuan_to_fen

VAT_RATE = Decimal("0.13")
PREFERENTIAL_SHARE = Decimal("0.7")
# Ad-valorem consumption tax of the goods the demo imports: wine 10 %. The demo's cosmetics sell
# below the high-end threshold, so they carry none.
CT_RATES: dict[str, Decimal] = {"2204210000": Decimal("0.10")}

# The goods lines (HS code, quantities, statutory unit, total price), then freight and
# insurance of the parcel -> the tax the platform withholds, in fen.
TaxFunction = Callable[[Sequence[PlanLine], Decimal, Decimal], Fen]


def local_import_tax(lines: Sequence[PlanLine], freight: Decimal, insured_fee: Decimal) -> Fen:
    """Preferential VAT + CT in fen; freight and insurance shared out by line value.

    Each tax is summed exactly over the lines and rounded half-up to the fen once.
    """
    goods = sum((ln.total_price for ln in lines), Decimal(0))
    extra = freight + insured_fee
    ct = Decimal(0)
    vat = Decimal(0)
    for ln in lines:
        total = ln.total_price
        value = total + (extra * total / goods if goods else Decimal(0))
        rate = CT_RATES.get(ln.commodity.hs_code, Decimal(0))
        line_ct = value / (1 - rate) * rate
        ct += line_ct
        vat += (value + line_ct) * VAT_RATE
    return yuan_to_fen(ct * PREFERENTIAL_SHARE) + yuan_to_fen(vat * PREFERENTIAL_SHARE)
