"""Pure rules of the summary declaration: grouping closed export inventories into declarations,
the month and deadline arithmetic, and the export tax treatment of a declaration line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources

from singlewindow.kit.clock import CST
from singlewindow.summary.domain import (
    STATISTICS_SUMMARY,
    TRADE_MODE_RETAIL_EXPORT,
    Declaration,
    DeclarationLine,
    GoodsPlacement,
    HeadKey,
    InventoryFacts,
    InventoryGoods,
    LineKey,
    PurchaseInvoice,
    RebateDecision,
    SummaryFlag,
    Treatment,
    summary_error,
)

WEIGHT_QUANTUM = Decimal("0.00001")  # N19,5


def head_key(item: InventoryFacts, summary_flag: SummaryFlag) -> HeadKey:
    owner = item.owner_code if summary_flag == SummaryFlag.BY_SELLER_AND_OWNER else ""
    return HeadKey(item.ebc_code, item.traf_mode, owner, item.country, item.port_code)


def line_key(goods: InventoryGoods, *, item_name_flag: bool) -> LineKey:
    """itemNameFlag 1 groups by the seller's original name (itemName, else gname); otherwise by
    the HS classification alone (按商品综合分类名)."""
    name = (goods.item_name or goods.gname) if item_name_flag else ""
    return LineKey(goods.country, goods.gcode, goods.currency, name)


def is_summarisable(item: InventoryFacts) -> bool:
    """statisticsFlag B goes to the summary; A (简化申报) is summary statistics only."""
    return item.statistics_flag == STATISTICS_SUMMARY


def _shares(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` in proportion to `weights`, quantised to N19,5; the last share takes the
    rounding remainder so the shares add up to `total` exactly."""
    if len(weights) == 1:
        return [total]
    whole = sum(weights, Decimal(0))
    if not weights:
        return []
    if whole == 0:
        even = [Decimal(1)] * len(weights)
        return _shares(total, even)
    out = [(total * w / whole).quantize(WEIGHT_QUANTUM, ROUND_HALF_UP) for w in weights[:-1]]
    out.append(total - sum(out, Decimal(0)))
    return out


def group_inventories(
    items: Iterable[InventoryFacts], *, summary_flag: SummaryFlag, item_name_flag: bool
) -> tuple[Declaration, ...]:
    """Group closed export inventories into declarations (194号 §(九) as SPEC §5.2 gives it).

    Head keys: seller, transport mode, producer (summaryFlag 2 only), destination country of
    arrival, exit port. Line keys: final destination country, 10-digit HS code, currency, and the
    original item name when itemNameFlag is 1. Quantities, FOB values and weights are summed; an
    inventory's head weights are spread over its goods by value (the declaration head carries the
    exact sum). Declarations come in head-key order, lines in line-key order (gseqno from 1), so
    the result does not depend on the input order. Callers pass only summarisable inventories.
    """
    by_head: dict[HeadKey, list[InventoryFacts]] = {}
    for item in items:
        by_head.setdefault(head_key(item, summary_flag), []).append(item)
    out: list[Declaration] = []
    for head in sorted(by_head):
        members = sorted(by_head[head], key=lambda i: (i.invt_no, i.inventory_id))
        sums: dict[LineKey, list[Decimal]] = {}
        names: dict[LineKey, tuple[str, str, str]] = {}
        counts: dict[LineKey, int] = {}
        placed: list[tuple[InventoryFacts, InventoryGoods, LineKey]] = []
        for inv in members:
            goods = sorted(inv.goods, key=lambda g: g.gnum)
            prices = [g.total_price for g in goods]
            gross = _shares(inv.gross_weight, prices)
            net = _shares(inv.net_weight, prices)
            for g, gw, nw in zip(goods, gross, net, strict=True):
                key = line_key(g, item_name_flag=item_name_flag)
                acc = sums.get(key)
                if acc is None:
                    sums[key] = [g.qty, g.qty1, g.total_price, gw, nw]
                    names[key] = (g.gname, g.unit, g.unit1)
                    counts[key] = 1
                else:
                    acc[0] += g.qty
                    acc[1] += g.qty1
                    acc[2] += g.total_price
                    acc[3] += gw
                    acc[4] += nw
                    counts[key] += 1
                placed.append((inv, g, key))
        seq = {key: n for n, key in enumerate(sorted(sums), 1)}
        lines = tuple(
            DeclarationLine(
                gseqno=seq[key],
                key=key,
                gname=names[key][0],
                unit=names[key][1],
                unit1=names[key][2],
                qty=sums[key][0],
                qty1=sums[key][1],
                total_price=sums[key][2],
                gross_weight=sums[key][3],
                net_weight=sums[key][4],
                item_count=counts[key],
            )
            for key in sorted(sums)
        )
        placements = tuple(
            GoodsPlacement(inv.inventory_id, inv.invt_no, inv.logistics_no, g.gnum, g.gcode, seq[k])
            for inv, g, k in placed
        )
        out.append(
            Declaration(
                head=head,
                lines=lines,
                placements=placements,
                inventory_ids=tuple(i.inventory_id for i in members),
                gross_weight=sum((i.gross_weight for i in members), Decimal(0)),
                net_weight=sum((i.net_weight for i in members), Decimal(0)),
            )
        )
    return tuple(out)


def decimal_text(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros ("300.5", "200")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# --- months and the deadline -------------------------------------------------------------------


def month_of(at: datetime) -> str:
    """The month ("2026-10") of an instant by the platform's calendar (CST)."""
    return at.astimezone(CST).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[start, end) of a "YYYY-MM" month in CST."""
    try:
        start = datetime.strptime(month + "-01", "%Y-%m-%d").replace(tzinfo=CST)
    except ValueError:
        raise summary_error(
            "summary.month_invalid",
            f"月份 {month} 格式应为 YYYY-MM",
            f"month {month} should be YYYY-MM",
            path="month",
        ) from None
    return start, _next_month(start)


def _next_month(start: datetime) -> datetime:
    return (start.replace(day=1) + timedelta(days=32)).replace(day=1)


def summary_deadline(month: str) -> datetime:
    """Inventories closed in `month` are summarised by the 15th of the next month (194号;
    SPEC §5.2): overdue from the 16th, 00:00 CST. Postponement for holidays is not modelled."""
    _, end = month_bounds(month)
    return end.replace(day=16)


def overdue_before(now: datetime) -> datetime:
    """Inventories closed before this instant are overdue at `now` if still unsummarised."""
    local = now.astimezone(CST)
    this_month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if local.day >= 16:
        return this_month
    return (this_month - timedelta(days=1)).replace(day=1)


def parse_window(start: str, end: str) -> tuple[datetime, datetime]:
    """CEB701 startTime/endTime (YYYYMMDDhhmmss, CST): paired, end ≥ start, one month. Returns
    [start, end] as aware instants (end inclusive to the second)."""
    try:
        if not all(len(t) == 14 and t.isdigit() for t in (start, end)):
            raise ValueError("not YYYYMMDDhhmmss")
        lo = datetime.strptime(start, "%Y%m%d%H%M%S").replace(tzinfo=CST)
        hi = datetime.strptime(end, "%Y%m%d%H%M%S").replace(tzinfo=CST)
    except ValueError:
        raise summary_error(
            "summary.window_invalid",
            "startTime/endTime 须成对填写，格式 YYYYMMDDhhmmss",
            "startTime and endTime go in pairs, as YYYYMMDDhhmmss",
            path="SummaryApplyHead/startTime",
        ) from None
    if hi < lo:
        raise summary_error(
            "summary.window_reversed",
            "结束时间须大于等于开始时间",
            "endTime must not be before startTime",
            path="SummaryApplyHead/endTime",
        )
    if month_of(lo) != month_of(hi):
        raise summary_error(
            "summary.window_spans_months",
            "汇总时间范围须在同一个月内（按月汇总上月结关清单）",
            "the window must lie within one month (a month's closed inventories are summarised)",
            path="SummaryApplyHead/endTime",
        )
    return lo, hi + timedelta(seconds=1) - timedelta(microseconds=1)


# --- export tax treatment ----------------------------------------------------------------------


def matching_invoices(
    line: DeclarationLine, invoices: Iterable[PurchaseInvoice]
) -> tuple[PurchaseInvoice, ...]:
    """Invoices on file for a line: filed under its HS code, or under its item name."""
    name = line.key.item_name or line.gname
    return tuple(
        inv
        for inv in invoices
        if (inv.hs_code and inv.hs_code == line.key.gcode)
        or (inv.item_name and inv.item_name == name)
    )


def rebate_fen_of(basis_fen: int, rate: Decimal, cap_fen: int) -> int:
    """退税额 = 增值税专用发票注明的金额 × 退税率 (外贸企业, 财税〔2012〕39号 第五条), rounded
    half up to the fen; never more than the VAT the invoices carry."""
    amount = (Decimal(basis_fen) * rate).quantize(Decimal(1), ROUND_HALF_UP)
    return min(int(amount), cap_fen)


def rebate_treatment(
    line: DeclarationLine,
    invoices_on_file: Sequence[PurchaseInvoice],
    rebate_rate: Decimal | None,
    *,
    trade_modes: frozenset[str] = frozenset({TRADE_MODE_RETAIL_EXPORT}),
) -> RebateDecision:
    """Rebate (有票退税) where purchase invoices are on file and the HS code has a rebate rate
    above zero; exemption where the rate is zero (免税不退税), or where no invoice is on file and
    the goods went out as 9610 retail exports of the zone (无票免税, 财税〔2018〕103号); taxed
    otherwise. `invoices_on_file` are the line's matching invoices."""
    basis = sum(inv.amount_fen for inv in invoices_on_file)
    cap = sum(inv.tax_fen for inv in invoices_on_file)
    numbers = tuple(f"{inv.invoice_code}-{inv.invoice_no}" for inv in invoices_on_file)
    if invoices_on_file:
        if rebate_rate is None:
            return RebateDecision(
                Treatment.TAXED, None, basis, 0, numbers, ("summary.rebate_rate_unknown",)
            )
        if rebate_rate == 0:
            return RebateDecision(
                Treatment.EXEMPTION, rebate_rate, basis, 0, numbers, ("summary.rebate_rate_zero",)
            )
        return RebateDecision(
            Treatment.REBATE,
            rebate_rate,
            basis,
            rebate_fen_of(basis, rebate_rate, cap),
            numbers,
            ("summary.invoice_on_file",),
        )
    if trade_modes and trade_modes <= {TRADE_MODE_RETAIL_EXPORT}:
        return RebateDecision(
            Treatment.EXEMPTION, rebate_rate, 0, 0, (), ("summary.no_invoice_exemption",)
        )
    return RebateDecision(
        Treatment.TAXED, rebate_rate, 0, 0, (), ("summary.no_invoice_not_retail_export",)
    )


# --- rebate rates ------------------------------------------------------------------------------


def parse_rebate_rates(text: str) -> dict[str, Decimal]:
    """The rebate-rate table: HS code or prefix (2–10 digits) -> rate as a fraction."""
    rates: dict[str, Decimal] = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["hs_code"].strip()
        try:
            rates[code] = Decimal(row["rebate_rate"].strip())
        except InvalidOperation:
            raise ValueError(f"rebate rate of {code} is not a decimal") from None
    return rates


def default_rebate_rates() -> dict[str, Decimal]:
    text = resources.files("singlewindow.summary").joinpath("data", "rebate_rates.csv")
    return parse_rebate_rates(text.read_text(encoding="utf-8"))


def rebate_rate_for(gcode: str, rates: Mapping[str, Decimal]) -> Decimal | None:
    """The rate of the longest listed prefix of the HS code; None if none is listed."""
    for size in range(len(gcode), 1, -1):
        rate = rates.get(gcode[:size])
        if rate is not None:
            return rate
    return None


def inventory_facts(
    inventory_id: int,
    record: Mapping[str, object],
    *,
    invt_no: str = "",
    statistics_flag: str = "",
) -> InventoryFacts:
    """The grouping's facts from a stored CEB603 record (the standard's JSON form). The
    enterprise's record usually has no invtNo (the platform assigns it): pass the stored one."""
    head = record["InventoryHead"]
    goods = record["InventoryList"]
    assert isinstance(head, Mapping) and isinstance(goods, list)
    return InventoryFacts(
        inventory_id=inventory_id,
        invt_no=invt_no or str(head.get("invtNo") or ""),
        logistics_no=str(head.get("logisticsNo") or ""),
        ebc_code=str(head["ebcCode"]),
        traf_mode=str(head["trafMode"]),
        owner_code=str(head["ownerCode"]),
        country=str(head["country"]),
        port_code=str(head["portCode"]),
        gross_weight=Decimal(str(head["grossWeight"])),
        net_weight=Decimal(str(head["netWeight"])),
        statistics_flag=statistics_flag or str(head.get("statisticsFlag") or ""),
        trade_mode=str(head.get("tradeMode") or ""),
        goods=tuple(
            InventoryGoods(
                gnum=int(g["gnum"]),
                gcode=str(g["gcode"]),
                country=str(g["country"]),
                currency=str(g["currency"]),
                item_name=str(g.get("itemName") or ""),
                gname=str(g["gname"]),
                unit=str(g["unit"]),
                unit1=str(g["unit1"]),
                qty=Decimal(g["qty"]),
                qty1=Decimal(g["qty1"]),
                total_price=Decimal(g["totalPrice"]),
            )
            for g in goods
        ),
    )
