from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from singlewindow.kit.errors import Problem
from singlewindow.statistics.domain import Facility, FacilityKind, Target, TargetIndicator
from singlewindow.statistics.rules import parse_facility_line, percentile, rate, targets_for

T = TargetIndicator


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        pytest.param(0, 0, None, id="nothing_counted_case"),
        pytest.param(1, 3, "0.3333", id="third_case"),
        pytest.param(2, 3, "0.6667", id="half_up_case"),
        pytest.param(1, 20000, "0.0001", id="half_up_at_last_place_case"),
        pytest.param(1, 20001, "0.0000", id="below_half_case"),
        pytest.param(5, 5, "1.0000", id="all_case"),
    ],
)
def test_rate(numerator: int, denominator: int, expected: str | None) -> None:
    assert rate(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("histogram", "q", "expected"),
    [
        pytest.param([], "0.5", None, id="empty_case"),
        pytest.param([(10, 1)], "0.95", 10, id="one_sample_case"),
        pytest.param([(10, 2), (60, 2)], "0.5", 10, id="median_nearest_rank_case"),
        pytest.param([(10, 2), (60, 3)], "0.5", 60, id="median_rank_three_case"),
        pytest.param([(60, 95), (3600, 5)], "0.95", 60, id="p95_at_boundary_case"),
        pytest.param([(60, 94), (3600, 6)], "0.95", 3600, id="p95_over_boundary_case"),
        pytest.param([(3600, 1), (1, 0), (5, 3)], "0.5", 5, id="unordered_and_empty_case"),
    ],
)
def test_percentile(histogram: list[tuple[int, int]], q: str, expected: int | None) -> None:
    assert percentile(histogram, Decimal(q)) == expected


def test_targets_default_to_the_seed() -> None:
    by = {t.indicator: t for t in targets_for(2026, {})}
    assert by[T.TRAINING_BASES] == Target(T.TRAINING_BASES, 4, 2018)
    assert by[T.DEMONSTRATION_PARKS] == Target(T.DEMONSTRATION_PARKS, 5, 2018)
    assert by[T.PUBLIC_OVERSEAS_WAREHOUSES] == Target(T.PUBLIC_OVERSEAS_WAREHOUSES, 5, 2018)
    assert by[T.KEY_ENTERPRISES] == Target(T.KEY_ENTERPRISES, 50, 2018)
    assert by[T.CBEC_TRANSACTION_VALUE] == Target(T.CBEC_TRANSACTION_VALUE, 1_200_000_000_000, 2018)
    assert by[T.ECOMMERCE_TRANSACTION_VALUE] == Target(
        T.ECOMMERCE_TRANSACTION_VALUE, 6_500_000_000_000, 2018
    )
    assert {t.indicator: t.value for t in targets_for(2017, {})} == {
        T.TRAINING_BASES: 2,
        T.DEMONSTRATION_PARKS: 2,
        T.PUBLIC_OVERSEAS_WAREHOUSES: 2,
        T.KEY_ENTERPRISES: 30,
        T.CBEC_TRANSACTION_VALUE: 1_000_000_000_000,
        T.ECOMMERCE_TRANSACTION_VALUE: 5_000_000_000_000,
    }
    assert {t.source_year for t in targets_for(2010, {})} == {2017}


def test_targets_stored_for_a_year_carry_forward_per_indicator() -> None:
    stored = {2025: {"key_enterprises": 80}, 2027: {"training_bases": 9}}
    by = {t.indicator: t for t in targets_for(2026, stored)}
    assert by[T.KEY_ENTERPRISES] == Target(T.KEY_ENTERPRISES, 80, 2025)
    assert by[T.TRAINING_BASES] == Target(T.TRAINING_BASES, 4, 2018)
    later = {t.indicator: t for t in targets_for(2028, stored)}
    assert later[T.TRAINING_BASES] == Target(T.TRAINING_BASES, 9, 2027)


def test_parse_facility_line() -> None:
    line = (
        '{"kind": "overseas_warehouse", "code": "OW-1", "name": "洛杉矶公共海外仓",'
        ' "filed_on": "2018-03-01", "country": "USA", "enterprise_code": "S1",'
        ' "industry": "发制品"}'
    )
    assert parse_facility_line(line, 1) == Facility(
        code="OW-1",
        kind=FacilityKind.OVERSEAS_WAREHOUSE,
        name="洛杉矶公共海外仓",
        filed_on=date(2018, 3, 1),
        country="USA",
        enterprise_code="S1",
        industry="发制品",
    )


@pytest.mark.parametrize(
    ("line", "code", "path"),
    [
        pytest.param("[1]", "statistics.line_not_json", "", id="not_object_case"),
        pytest.param("{", "statistics.line_not_json", "", id="not_json_case"),
        pytest.param('{"kind": "mall"}', "statistics.kind_unknown", "kind", id="kind_case"),
        pytest.param(
            '{"kind": "training_base", "code": "B", "name": "n", "filed_on": "2018-1-1"}',
            "statistics.date_invalid", "filed_on", id="short_date_case",
        ),
        pytest.param(
            '{"kind": "training_base", "code": "B", "name": "n"}',
            "statistics.field_missing", "filed_on", id="no_date_case",
        ),
        pytest.param(
            '{"kind": "training_base", "code": "B", "filed_on": "2018-01-01"}',
            "statistics.field_missing", "name", id="no_name_case",
        ),
        pytest.param(
            '{"kind": "training_base", "code": "B", "name": "n", "filed_on": "2018-01-01",'
            ' "closed_on": "2017-12-31"}',
            "statistics.closed_before_filed", "closed_on", id="closed_before_filed_case",
        ),
        pytest.param(
            '{"kind": "key_enterprise", "code": "K", "name": "n", "filed_on": "2018-01-01"}',
            "statistics.enterprise_required", "enterprise_code", id="key_without_code_case",
        ),
        pytest.param(
            '{"kind": "training_base", "code": "B", "name": "n", "filed_on": "2018-01-01",'
            ' "area": 5}',
            "statistics.field_unknown", "area", id="unknown_field_case",
        ),
        pytest.param(
            '{"kind": "overseas_warehouse", "code": "W", "name": "n", "filed_on": "2018-01-01",'
            ' "country": "USAA"}',
            "statistics.field_too_long", "country", id="too_long_case",
        ),
    ],
)  # fmt: skip
def test_parse_facility_line_refusals(line: str, code: str, path: str) -> None:
    found = parse_facility_line(line, 7)
    assert isinstance(found, Problem)
    assert (found.code, found.path, found.line) == (code, path, 7)


def test_facility_open_on() -> None:
    f = Facility("P", FacilityKind.DEMONSTRATION_PARK, "n", date(2018, 1, 1), date(2019, 1, 1))
    assert [f.is_open_on(d) for d in (date(2017, 12, 31), date(2018, 1, 1), date(2019, 1, 1))] == [
        False,
        True,
        False,
    ]
