"""Summary declarations (汇总申报) as the console lists and shows them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from singlewindow.auth.domain import Principal
from singlewindow.kit.errors import NotFound


def list_for(session: Session, principal: Principal) -> list[dict[str, Any]] | None:
    """None while the summary module is not available."""
    del session, principal
    return None


def get_for(session: Session, principal: Principal, sum_no: str) -> dict[str, Any]:
    del session, principal
    raise NotFound.of(
        "summary.not_found", f"汇总申报 {sum_no} 不存在", f"summary {sum_no} does not exist"
    )
