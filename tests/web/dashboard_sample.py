"""A dashboard in the shape `statistics.service.dashboard` documents, for the reshaping tests."""

from __future__ import annotations

from typing import Any


def _row(key: str, parcels: int, value_fen: int) -> dict[str, Any]:
    return {
        "key": key,
        "parcels": parcels,
        "value_fen": value_fen,
        "value_cny": f"{value_fen / 100:.2f}",
        "import_parcels": parcels,
        "import_value_fen": value_fen,
        "export_parcels": 0,
        "export_value_fen": 0,
    }


SAMPLE: dict[str, Any] = {
    "as_of": "2026-05-01T10:00:00+08:00",
    "year": 2026,
    "period": {"start": "2026-01-01", "end": "2026-05-01"},
    "scope": {"kind": "zone", "enterprise_code": None},
    "kpis": {
        "lists_declared": 34,
        "parcels_released": 29,
        "import_parcels_released": 20,
        "export_parcels_released": 9,
        "trade_value_fen": 123456789,
        "trade_value_cny": "1234567.89",
        "import_value_fen": 100000000,
        "import_value_cny": "1000000.00",
        "export_value_fen": 23456789,
        "export_value_cny": "234567.89",
        "lists_refused": 3,
        "comparison_pass_rate": "0.9118",
        "inspection_rate": None,
        "release_latency_seconds": {"count": 29, "median": 5400, "p95": 86400},
        "taxes_fen": 550012,
        "taxes_cny": "5500.12",
        "enterprises_filed": 12,
        "enterprises_active": 7,
    },
    "targets": [
        {
            "indicator": "cbec_transaction_value",
            "label_zh": "跨境电商交易额",
            "label_en": "Cross-border e-commerce transaction value",
            "unit": "fen",
            "target": 1_200_000_000_000,
            "actual": 123456789,
            "ratio": "0.0001",
            "target_year": 2018,
        },
        {
            "indicator": "demonstration_parks",
            "label_zh": "示范园区",
            "label_en": "Demonstration parks",
            "unit": "count",
            "target": 5,
            "actual": 2,
            "ratio": "0.4000",
            "target_year": 2018,
        },
        {
            "indicator": "ecommerce_transaction_value",
            "label_zh": "电子商务交易额",
            "label_en": "E-commerce transaction value",
            "unit": "fen",
            "target": 6_500_000_000_000,
            "actual": None,
            "ratio": None,
            "target_year": 2018,
        },
    ],
    "trend": [
        {
            "day": "2026-04-30",
            "declared": 3,
            "released": 2,
            "refused": 1,
            "value_fen": 1000,
            "value_cny": "10.00",
        },
        {
            "day": "2026-05-01",
            "declared": 0,
            "released": 1,
            "refused": 0,
            "value_fen": 500,
            "value_cny": "5.00",
        },
    ],
    "breakdowns": {
        "trade_mode": [_row("1210", 20, 100000000), _row("9610", 9, 23456789)],
        "country": [_row("USA", 5, 2000000), _row("", 1, 100)],
        "county": [_row("建安区", 4, 300000)],
        "park": [],
        "hs_chapter": [_row("33", 3, 45600)],
    },
    "refusals": [{"reason": "comparison.amount_mismatch", "count": 2}],
}
