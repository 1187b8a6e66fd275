"""Statistics use cases: the console dashboard, one indicator over a period, targets, facilities.

Everything here reads the daily roll-ups that `recording` keeps as inventories move (never the
inventories themselves), so a page view costs the same with ten or ten million inventories.
Definitions of every figure: `docs/indicators.md`.

`dashboard(session, principal, *, now)` returns a plain dict (JSON-ready, money in integer fen
with a yuan string beside it, rates as 4-decimal strings or None when nothing was counted):

    {
      "as_of": "2026-05-11T09:30:00+08:00",     # now, in CST
      "year": 2026,                              # the CST calendar year of now
      "period": {"start": "2026-01-01", "end": "2026-05-11"},   # year to date, CST days
      "scope": {"kind": "zone" | "enterprise", "enterprise_code": None | "410196xxxx"},
      "kpis": {
        "lists_declared": int,          # inventories submitted to customs (→120)
        "parcels_released": int,        # inventories released (→800), both directions
        "import_parcels_released": int,
        "export_parcels_released": int,
        "trade_value_fen": int, "trade_value_cny": "1234.56",   # Σ value of released lists
        "import_value_fen": int, "import_value_cny": str,
        "export_value_fen": int, "export_value_cny": str,
        "lists_refused": int,
        "comparison_pass_rate": "0.9500" | None,
        "inspection_rate": "0.0300" | None,
        "release_latency_seconds": {"count": int, "median": int | None, "p95": int | None},
        "taxes_fen": int, "taxes_cny": str,
        "enterprises_filed": int,       # zone: filed sellers (ebc); enterprise: 1
        "enterprises_active": int,      # sellers with ≥ 1 released list this year
      },
      "targets": [                      # zone scope only; [] for an enterprise
        {"indicator": "cbec_transaction_value", "label_zh": str, "label_en": str,
         "unit": "fen" | "count", "target": int, "actual": int | None,
         "ratio": "0.4500" | None, "target_year": 2018},   # year the target row came from
        ...                             # training_bases, demonstration_parks,
      ],                                # public_overseas_warehouses, key_enterprises,
                                        # ecommerce_transaction_value (actual None)
      "trend": [                        # last 30 CST days, oldest first, zero-filled
        {"day": "2026-04-12", "declared": int, "released": int, "refused": int,
         "value_fen": int, "value_cny": str},
        ...
      ],
      "breakdowns": {                   # released lists this year, top 20 by value
        "trade_mode" | "country" | "county" | "park" | "hs_chapter": [
          {"key": "9610", "parcels": int, "value_fen": int, "value_cny": str,
           "import_parcels": int, "import_value_fen": int,
           "export_parcels": int, "export_value_fen": int},
          ...
        ],
      },
      "refusals": [{"reason": "comparison.amount_mismatch", "count": int}, ...],  # top 10
    }
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from singlewindow.auth.domain import Principal


def dashboard(session: Session, principal: Principal, *, now: datetime) -> dict[str, Any]:
    """The console dashboard in the shape of the module docstring (being built)."""
    raise NotImplementedError
