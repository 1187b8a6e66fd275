"""Stored trade documents: kinds, statuses and the facts the clearance path keys them by."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReturnStatus(StrEnum):
    """`returnStatus` codes of the standard's receipts (SPEC §3.1)."""

    TEMPORARILY_SAVED = "1"
    DECLARING = "2"
    SENT_TO_CUSTOMS = "3"
    REFUSED = "100"
    STORED = "120"
    CONCLUDED = "399"
    INSPECTION = "500"
    RELEASED = "800"
    CLOSED = "899"


class Kind(StrEnum):
    """What a business record is, independent of direction."""

    ORDER = "order"
    PAYMENT = "payment"
    WAYBILL = "waybill"
    WAYBILL_STATUS = "waybill_status"
    INVENTORY = "inventory"
    CANCEL = "cancel"
    RETURN = "return"
    DELIVERY = "delivery"
    ARRIVAL = "arrival"
    DEPARTURE = "departure"
    BILL = "bill"
    SUMMARY = "summary"
    RETURN_ARRIVAL = "return_arrival"


@dataclass(frozen=True, slots=True)
class DeclarationType:
    """One declaration message type: what it carries, who may send it, its receipt type."""

    message_type: str
    kind: Kind
    direction: str  # "I" import, "E" export
    sender_roles: frozenset[str]
    receipt_type: str


def _t(mt: str, kind: Kind, direction: str, roles: str) -> DeclarationType:
    receipt = f"CEB{int(mt[3:]) + 1}"
    return DeclarationType(mt, kind, direction, frozenset(roles.split()), receipt)


# Sender roles per message type, as the clearance issue assigns them (BaseTransfer/copCode).
DECLARATION_TYPES: dict[str, DeclarationType] = {
    t.message_type: t
    for t in (
        _t("CEB311", Kind.ORDER, "I", "ebp ebc"),
        _t("CEB411", Kind.PAYMENT, "I", "pay"),
        _t("CEB511", Kind.WAYBILL, "I", "logistics"),
        _t("CEB513", Kind.WAYBILL_STATUS, "I", "logistics"),
        _t("CEB621", Kind.INVENTORY, "I", "agent ebc"),
        _t("CEB623", Kind.CANCEL, "I", "agent ebc"),
        _t("CEB625", Kind.RETURN, "I", "agent ebc"),
        _t("CEB711", Kind.DELIVERY, "I", "warehouse"),
        _t("CEB303", Kind.ORDER, "E", "ebp ebc"),
        _t("CEB403", Kind.PAYMENT, "E", "pay ebc"),
        _t("CEB505", Kind.WAYBILL, "E", "logistics"),
        _t("CEB507", Kind.ARRIVAL, "E", "logistics warehouse"),
        _t("CEB509", Kind.DEPARTURE, "E", "logistics"),
        _t("CEB603", Kind.INVENTORY, "E", "agent ebc"),
        _t("CEB605", Kind.CANCEL, "E", "agent ebc"),
        _t("CEB607", Kind.BILL, "E", "agent ebc logistics"),
        _t("CEB213", Kind.RETURN, "E", "agent ebc"),
        _t("CEB215", Kind.RETURN_ARRIVAL, "E", "warehouse"),
        _t("CEB701", Kind.SUMMARY, "E", "agent ebc"),
    )
}


@dataclass(frozen=True, slots=True)
class RecordKeys:
    """The identifying and linking fields of one business record, as written."""

    guid: str
    order_no: str = ""
    ebp_code: str = ""
    ebc_code: str = ""
    logistics_code: str = ""
    logistics_no: str = ""
    invt_no: str = ""
    pay_code: str = ""
    pay_transaction_id: str = ""
    agent_code: str = ""
    app_type: str = "1"
    app_status: str = "2"

    def receipt_fields(self) -> dict[str, str]:
        """Key fields echoed in a receipt, in the standard's names; empty ones left out."""
        pairs = (
            ("orderNo", self.order_no),
            ("ebpCode", self.ebp_code),
            ("ebcCode", self.ebc_code),
            ("logisticsCode", self.logistics_code),
            ("logisticsNo", self.logistics_no),
            ("payCode", self.pay_code),
            ("payTransactionId", self.pay_transaction_id),
            ("invtNo", self.invt_no),
        )
        return {k: v for k, v in pairs if v}
