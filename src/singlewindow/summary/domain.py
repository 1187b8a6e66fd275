"""Summary declaration (清单核放、汇总申报, 海关总署公告2018年第194号) and export tax treatment:
the facts the grouping reads, the declarations it forms, and the module's errors."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from singlewindow.kit.errors import DomainError, Problem


class SummaryFlag(StrEnum):
    """CEB701 `summaryFlag` (SPEC §5.2)."""

    BY_SELLER = "1"  # 按收发货人单一汇总
    BY_SELLER_AND_OWNER = "2"  # 按收发货人和生产销售单位汇总


class SummaryStatus(StrEnum):
    SAVED = "saved"  # appStatus 1 暂存: kept, not summarised
    SUMMARISED = "summarised"  # declarations formed, CEB792 available
    REFUSED = "refused"  # nothing could be summarised


class Treatment(StrEnum):
    """Export tax treatment of one declaration line."""

    REBATE = "rebate"  # 有票退税: purchase invoices on file, rebate at the HS code's rate
    EXEMPTION = "exemption"  # 免税: 无票免税 (财税〔2018〕103号) or a zero rebate rate
    TAXED = "taxed"  # neither: 视同内销征税


class RebateClass(StrEnum):
    """出口退(免)税企业分类管理 classes (国家税务总局公告2016年第46号): 一类 … 四类."""

    FIRST = "1"
    SECOND = "2"
    THIRD = "3"
    FOURTH = "4"


STATISTICS_SUMMARY = "B"  # statisticsFlag B 汇总申报; A 简化申报 stays out (SPEC §5.2)
TRADE_MODE_RETAIL_EXPORT = "9610"


@dataclass(frozen=True, slots=True)
class InventoryGoods:
    """One goods line (InventoryList) of a closed export inventory, as the grouping needs it."""

    gnum: int
    gcode: str
    country: str  # 最终目的国
    currency: str
    item_name: str  # the seller's own name (itemName), "" if not given
    gname: str
    unit: str
    unit1: str
    qty: Decimal
    qty1: Decimal
    total_price: Decimal


@dataclass(frozen=True, slots=True)
class InventoryFacts:
    """A closed (899) export inventory: its head keys, weights and goods."""

    inventory_id: int
    invt_no: str
    logistics_no: str
    ebc_code: str
    traf_mode: str
    owner_code: str
    country: str  # 运抵国
    port_code: str
    gross_weight: Decimal
    net_weight: Decimal
    goods: tuple[InventoryGoods, ...]
    statistics_flag: str = STATISTICS_SUMMARY
    trade_mode: str = TRADE_MODE_RETAIL_EXPORT


@dataclass(frozen=True, slots=True, order=True)
class HeadKey:
    """What one export declaration (报关单) shares; owner_code is "" unless summaryFlag is 2."""

    ebc_code: str
    traf_mode: str
    owner_code: str
    country: str
    port_code: str


@dataclass(frozen=True, slots=True, order=True)
class LineKey:
    """What one declaration line shares; item_name is "" unless itemNameFlag is 1."""

    country: str
    gcode: str
    currency: str
    item_name: str


@dataclass(frozen=True, slots=True)
class DeclarationLine:
    gseqno: int
    key: LineKey
    gname: str
    unit: str
    unit1: str
    qty: Decimal
    qty1: Decimal
    total_price: Decimal
    gross_weight: Decimal
    net_weight: Decimal
    item_count: int


@dataclass(frozen=True, slots=True)
class GoodsPlacement:
    """Where one (invtNo, gnum) went: the CEB792 SummaryResultList row."""

    inventory_id: int
    invt_no: str
    logistics_no: str
    gnum: int
    gcode: str
    gseqno: int


@dataclass(frozen=True, slots=True)
class Declaration:
    head: HeadKey
    lines: tuple[DeclarationLine, ...]
    placements: tuple[GoodsPlacement, ...]
    inventory_ids: tuple[int, ...]
    gross_weight: Decimal
    net_weight: Decimal


@dataclass(frozen=True, slots=True)
class PurchaseInvoice:
    """A purchase VAT invoice on file; amounts in fen (金额 excludes VAT, 税额 is the VAT)."""

    ebc_code: str
    invoice_code: str
    invoice_no: str
    hs_code: str
    item_name: str
    amount_fen: int
    tax_fen: int
    issued_on: str


@dataclass(frozen=True, slots=True)
class RebateDecision:
    treatment: Treatment
    rate: Decimal | None
    basis_fen: int
    rebate_fen: int
    invoices: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An inventory asked for or found but left out, and why (a stable reason code)."""

    invt_no: str
    reason: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"invtNo": self.invt_no, "reason": self.reason, "detail": self.detail}


class SummaryError(DomainError):
    """A summary request refused as a whole."""


def summary_error(code: str, zh: str, en: str, *, path: str = "") -> SummaryError:
    return SummaryError([Problem(code, zh, en, path=path)])


@dataclass(frozen=True, slots=True)
class SummaryReceipt:
    """The CEB702 answer to one SummaryApply, plus what was left out and why."""

    message_guid: str
    guid: str
    agent_code: str
    ebc_code: str
    cop_no: str
    pre_no: str
    sum_no: str
    msg_seq_no: str
    return_status: str
    return_time: str
    return_info: str
    reasons: tuple[str, ...] = ()
    excluded: tuple[Exclusion, ...] = ()
    declarations: int = 0
    inventories: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "message_type": "CEB702",
            "message_guid": self.message_guid,
            "guid": self.guid,
            "agentCode": self.agent_code,
            "ebcCode": self.ebc_code,
            "copNo": self.cop_no,
            "preNo": self.pre_no,
            "sumNo": self.sum_no,
            "msgSeqNo": self.msg_seq_no,
            "returnStatus": self.return_status,
            "returnTime": self.return_time,
            "returnInfo": self.return_info,
            "reasons": list(self.reasons),
            "declarations": self.declarations,
            "inventories": self.inventories,
            "excluded": [e.as_dict() for e in self.excluded],
        }
