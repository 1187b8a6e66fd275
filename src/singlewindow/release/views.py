"""What an inventory looks like to a reader: status, history with reasons, tax — scoped."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from singlewindow.audit import service as audit
from singlewindow.audit.domain import Action
from singlewindow.auth.domain import Principal, mask_id_number, may_see_personal_data
from singlewindow.declaration import repository
from singlewindow.declaration.tables import InventoryRow
from singlewindow.kit.clock import system_clock
from singlewindow.kit.errors import NotFound, Problem
from singlewindow.kit.money import format_yuan
from singlewindow.tax import service as tax_service


def _not_found(what: str) -> NotFound:
    return NotFound(
        [Problem("inventory.not_found", f"清单 {what} 不存在", f"inventory {what} does not exist")]
    )


def visible_to(inventory: InventoryRow, principal: Principal | None) -> bool:
    """Enterprises see the inventories they are a party to; agencies see all (None = operator)."""
    if principal is None or principal.enterprise_code is None:
        return True
    return principal.enterprise_code in {
        inventory.ebc_code,
        inventory.ebp_code,
        inventory.agent_code,
        inventory.logistics_code,
    }


def get_inventory(
    session: Session,
    principal: Principal | None,
    *,
    invt_no: str | None = None,
    order_no: str | None = None,
    ebp_code: str | None = None,
) -> dict[str, Any]:
    inventory = repository.find_inventory(
        session, invt_no=invt_no, order_no=order_no, ebp_code=ebp_code
    )
    what = invt_no or f"{ebp_code}/{order_no}"
    if inventory is None or not visible_to(inventory, principal):
        raise _not_found(what)
    bill = tax_service.find_bill(session, inventory.id)
    show_pii = principal is None or may_see_personal_data(principal)
    if show_pii and inventory.buyer_id_number:
        # Every read of a buyer's whole ID number is evidence (the audit trail).
        audit.record(
            session,
            actor=f"user:{principal.user_id}" if principal is not None else "operator",
            action=Action.PERSONAL_DATA_READ,
            subject=f"inventory:{inventory.invt_no}",
            details={"fields": ["buyerIdNumber"]},
            at=system_clock(),
        )
    buyer = inventory.buyer_id_number
    return {
        "invtNo": inventory.invt_no,
        "orderNo": inventory.order_no,
        "ebpCode": inventory.ebp_code,
        "ebcCode": inventory.ebc_code,
        "agentCode": inventory.agent_code,
        "logisticsCode": inventory.logistics_code,
        "logisticsNo": inventory.logistics_no,
        "ieFlag": inventory.direction,
        "tradeMode": inventory.trade_mode,
        "buyerIdNumber": buyer if show_pii else mask_id_number(buyer),
        "returnStatus": inventory.status,
        "history": [
            {
                "time": t.at.isoformat(),
                "fromStatus": t.from_status,
                "returnStatus": t.to_status,
                "actor": t.actor,
                "reasons": list(t.reasons),
                "facts": t.facts,
            }
            for t in repository.history(session, inventory.id)
        ],
        "tax": None
        if bill is None
        else {
            "status": bill.status,
            "dutiable_value": format_yuan(bill.dutiable_value_fen),
            "tariff": format_yuan(bill.tariff_fen),
            "vat": format_yuan(bill.vat_fen),
            "consumption_tax": format_yuan(bill.consumption_tax_fen),
            "total": format_yuan(bill.total_fen),
            "preferential": bill.preferential,
            "lines": bill.lines,
        },
    }
