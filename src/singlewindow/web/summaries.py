"""Summary declarations (汇总申报) as the console lists and shows them, scoped by
`summary.views` (an enterprise sees those it is the seller or agent of; 404 otherwise)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from singlewindow.auth.domain import Principal
from singlewindow.summary import views

PAGE_SIZE = 50


def list_for(
    session: Session, principal: Principal, *, now: datetime, page: int = 1
) -> dict[str, list[dict[str, Any]]]:
    return {
        "summaries": views.list_summaries(
            session, principal, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        ),
        "warnings": views.list_warnings(session, principal, now),
    }


def get_for(session: Session, principal: Principal, sum_no: str) -> dict[str, Any]:
    """The summary with its declarations, lines (and their tax treatment) and the
    (invtNo, gnum) → gseqno map; raises NotFound outside the principal's scope."""
    return views.get_summary(session, principal, sum_no, with_items=True)
