"""Export tax treatment of summary declaration lines: purchase invoices on file, enterprise
rebate classes, and the rebate declaration data (CSV) a tax officer needs."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from singlewindow.kit.errors import DomainError, Problem
from singlewindow.registry import service as registry
from singlewindow.summary import repository
from singlewindow.summary.domain import (
    DeclarationLine,
    LineKey,
    PurchaseInvoice,
    RebateClass,
    RebateDecision,
)
from singlewindow.summary.rules import (
    decimal_text,
    default_rebate_rates,
    matching_invoices,
    rebate_rate_for,
    rebate_treatment,
)
from singlewindow.summary.tables import (
    PurchaseInvoiceRow,
    RebateClassRow,
    SummaryLineRow,
    SummaryRow,
)

_RATES: dict[str, Decimal] | None = None


def rebate_rates() -> Mapping[str, Decimal]:
    """The packaged rebate-rate table (data/rebate_rates.csv), read once."""
    global _RATES
    if _RATES is None:
        _RATES = default_rebate_rates()
    return _RATES


@dataclass(frozen=True, slots=True)
class InvoiceInput:
    ebc_code: str
    invoice_code: str
    invoice_no: str
    hs_code: str
    item_name: str
    amount_fen: int
    tax_fen: int
    issued_on: str


def _invalid(code: str, zh: str, en: str, path: str) -> DomainError:
    return DomainError([Problem(code, zh, en, path=path)])


def record_invoice(
    session: Session, invoice: InvoiceInput, *, actor: str, now: datetime
) -> PurchaseInvoiceRow:
    """File a purchase invoice for a seller's goods (by HS code, or by item name)."""
    problems: list[Problem] = []
    if registry.find_enterprise(session, invoice.ebc_code) is None:
        problems.append(
            Problem(
                "summary.enterprise_not_filed", "企业未备案", "no such filed enterprise", "ebcCode"
            )
        )
    if invoice.hs_code and (len(invoice.hs_code) != 10 or not invoice.hs_code.isdigit()):
        problems.append(
            Problem(
                "summary.hs_code_invalid", "商品编码应为10位数字", "HS code is 10 digits", "hsCode"
            )
        )
    if not invoice.hs_code and not invoice.item_name:
        problems.append(
            Problem(
                "summary.invoice_goods_missing",
                "发票须注明商品编码或商品名称",
                "an invoice names an HS code or an item name",
                "hsCode",
            )
        )
    if invoice.amount_fen < 0 or invoice.tax_fen < 0:
        problems.append(
            Problem(
                "summary.amount_negative", "金额不能为负", "amounts are not negative", "amountFen"
            )
        )
    if len(invoice.issued_on) != 8 or not invoice.issued_on.isdigit():
        problems.append(
            Problem(
                "summary.date_invalid", "开票日期格式 YYYYMMDD", "issuedOn is YYYYMMDD", "issuedOn"
            )
        )
    if problems:
        raise DomainError(problems)
    if repository.find_invoice(session, invoice.ebc_code, invoice.invoice_code, invoice.invoice_no):
        raise _invalid(
            "summary.invoice_duplicate",
            "该发票已登记",
            "this invoice is on file already",
            "invoiceNo",
        )
    row = PurchaseInvoiceRow(
        ebc_code=invoice.ebc_code,
        invoice_code=invoice.invoice_code,
        invoice_no=invoice.invoice_no,
        hs_code=invoice.hs_code,
        item_name=invoice.item_name,
        amount_fen=invoice.amount_fen,
        tax_fen=invoice.tax_fen,
        issued_on=invoice.issued_on,
        recorded_by=actor,
        recorded_at=now,
    )
    session.add(row)
    session.flush()
    return row


def invoice_view(row: PurchaseInvoiceRow) -> dict[str, Any]:
    return {
        "ebcCode": row.ebc_code,
        "invoiceCode": row.invoice_code,
        "invoiceNo": row.invoice_no,
        "hsCode": row.hs_code,
        "itemName": row.item_name,
        "amountFen": row.amount_fen,
        "taxFen": row.tax_fen,
        "issuedOn": row.issued_on,
        "recordedBy": row.recorded_by,
        "recordedAt": row.recorded_at.isoformat(),
    }


def _domain_invoice(row: PurchaseInvoiceRow) -> PurchaseInvoice:
    return PurchaseInvoice(
        row.ebc_code,
        row.invoice_code,
        row.invoice_no,
        row.hs_code,
        row.item_name,
        row.amount_fen,
        row.tax_fen,
        row.issued_on,
    )


def set_rebate_class(
    session: Session, ebc_code: str, rebate_class: str, note: str, *, actor: str, now: datetime
) -> RebateClassRow:
    """Record an enterprise's rebate management class (1–4); a later record replaces it."""
    if rebate_class not in {c.value for c in RebateClass}:
        raise _invalid(
            "summary.rebate_class_invalid",
            "出口退税企业分类应为 1 至 4",
            "the rebate class is 1, 2, 3 or 4",
            "rebateClass",
        )
    if registry.find_enterprise(session, ebc_code) is None:
        raise _invalid(
            "summary.enterprise_not_filed", "企业未备案", "no such enterprise", "ebcCode"
        )
    row = repository.find_rebate_class(session, ebc_code)
    if row is None:
        row = RebateClassRow(ebc_code=ebc_code)
        session.add(row)
    row.rebate_class, row.note, row.recorded_by, row.recorded_at = rebate_class, note, actor, now
    session.flush()
    return row


def rebate_class_view(row: RebateClassRow) -> dict[str, Any]:
    return {
        "ebcCode": row.ebc_code,
        "rebateClass": row.rebate_class,
        "note": row.note,
        "recordedBy": row.recorded_by,
        "recordedAt": row.recorded_at.isoformat(),
    }


def _line(row: SummaryLineRow) -> DeclarationLine:
    return DeclarationLine(
        gseqno=row.gseqno,
        key=LineKey(row.country, row.gcode, row.currency, row.item_name),
        gname=row.gname,
        unit=row.unit,
        unit1=row.unit1,
        qty=Decimal(row.qty),
        qty1=Decimal(row.qty1),
        total_price=Decimal(row.total_price),
        gross_weight=Decimal(row.gross_weight),
        net_weight=Decimal(row.net_weight),
        item_count=row.item_count,
    )


def treatments(
    session: Session, summary: SummaryRow, lines: Sequence[SummaryLineRow]
) -> dict[int, RebateDecision]:
    """Line id -> its export tax treatment, by the invoices on file now."""
    invoices = [_domain_invoice(r) for r in repository.invoices_of(session, summary.ebc_code)]
    modes = repository.trade_modes_of(session, summary.id)
    out: dict[int, RebateDecision] = {}
    for row in lines:
        line = _line(row)
        out[row.id] = rebate_treatment(
            line,
            matching_invoices(line, invoices),
            rebate_rate_for(line.key.gcode, rebate_rates()),
            trade_modes=modes.get(row.declaration_id, frozenset()),
        )
    return out


def decision_view(decision: RebateDecision) -> dict[str, Any]:
    return {
        "treatment": decision.treatment.value,
        "rebateRate": decimal_text(decision.rate) if decision.rate is not None else None,
        "basisFen": decision.basis_fen,
        "rebateFen": decision.rebate_fen,
        "invoices": list(decision.invoices),
        "reasons": list(decision.reasons),
    }


CSV_COLUMNS = (
    "sumNo",
    "declSeqNo",
    "month",
    "ebcCode",
    "ebcName",
    "rebateClass",
    "gseqno",
    "gcode",
    "gname",
    "itemName",
    "country",
    "currency",
    "qty",
    "unit",
    "qty1",
    "unit1",
    "totalPrice",
    "treatment",
    "rebateRate",
    "basisFen",
    "rebateFen",
    "invoices",
    "reasons",
)


def rebate_csv(session: Session, summary: SummaryRow) -> str:
    """One row per declaration line: what the tax office needs for the rebate (退税) or
    exemption (免税) declaration of the month."""
    decls = repository.declarations_of(session, summary.id)
    seq_no = {d.id: d.decl_seq_no for d in decls}
    lines = repository.lines_of(session, list(seq_no))
    decided = treatments(session, summary, lines)
    klass = repository.find_rebate_class(session, summary.ebc_code)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        d = decided[line.id]
        writer.writerow(
            (
                summary.sum_no,
                seq_no[line.declaration_id],
                summary.month,
                summary.ebc_code,
                summary.ebc_name,
                klass.rebate_class if klass is not None else "",
                line.gseqno,
                line.gcode,
                line.gname,
                line.item_name,
                line.country,
                line.currency,
                line.qty,
                line.unit,
                line.qty1,
                line.unit1,
                line.total_price,
                d.treatment.value,
                decimal_text(d.rate) if d.rate is not None else "",
                d.basis_fen,
                d.rebate_fen,
                ";".join(d.invoices),
                ";".join(d.reasons),
            )
        )
    return buffer.getvalue()
