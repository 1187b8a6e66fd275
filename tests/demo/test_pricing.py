from __future__ import annotations

from decimal import Decimal

import pytest

from singlewindow.demo.plan import PlanLine
from singlewindow.demo.pricing import local_import_tax
from singlewindow.demo.zone import build_zone

_ZONE = build_zone(persons=1)


def _line(gnum: int, hs: str, total: str) -> PlanLine:
    c = next(c for c in _ZONE.commodities if c.hs_code == hs)
    return PlanLine(gnum, c, 1, Decimal(total), Decimal(total))


@pytest.mark.parametrize(
    ("lines", "freight", "insured", "fen"),
    [
        # 1,020 × 13 % × 70 % = 92.82
        pytest.param([("1901101090", "1000")], "20", "0", 9282, id="vat_only_case"),
        # CT 1,020 / 0.9 × 0.1 × 0.7 = 79.33; VAT (1,020 + 113.33…) × 0.13 × 0.7 = 103.13
        pytest.param([("2204210000", "1000")], "20", "0", 18246, id="wine_ct_factor_case"),
        # insurance is part of the dutiable value, freight shared by value
        pytest.param(
            [("1901101090", "300"), ("2106909090", "100")], "10", "2", 3749, id="two_lines_case"
        ),
    ],
)
def test_local_import_tax(
    lines: list[tuple[str, str]], freight: str, insured: str, fen: int
) -> None:
    plan_lines = [_line(n, hs, total) for n, (hs, total) in enumerate(lines, 1)]
    assert local_import_tax(plan_lines, Decimal(freight), Decimal(insured)) == fen
