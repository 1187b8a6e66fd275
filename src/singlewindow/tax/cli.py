"""`singlewindow tax quote`: the import retail tax of a one-line parcel, from the rate table."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from singlewindow.db.migrate import engine_for_command
from singlewindow.db.session import make_sessionmaker, unit_of_work
from singlewindow.kit.money import format_yuan, yuan_to_fen
from singlewindow.tax import service as tax_service
from singlewindow.tax.domain import RateTable, TaxableLine, TaxAssessment
from singlewindow.tax.rules import assess_import_tax, parse_rates_csv

app = typer.Typer(help="Import retail tax (跨境电商零售进口税收).", no_args_is_help=True)


@app.callback()
def group() -> None:
    """Import retail tax (跨境电商零售进口税收)."""


def _yuan(name: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        typer.echo(f"tax.bad_amount: {name} 金额无效 / {name} is not an amount: {text!r}", err=True)
        raise typer.Exit(1)
    return value


def _as_json(a: TaxAssessment) -> str:
    return json.dumps(
        {
            "dutiable_value": format_yuan(a.dutiable_value_fen),
            "tariff": format_yuan(a.tariff_fen),
            "vat": format_yuan(a.vat_fen),
            "consumption_tax": format_yuan(a.consumption_tax_fen),
            "total": format_yuan(a.total_fen),
            "preferential": a.preferential,
            "allowed": a.allowed,
            "reasons": [r.code for r in a.reasons],
        },
        ensure_ascii=False,
    )


def _as_line(a: TaxAssessment) -> str:
    kind = "preferential 70 %" if a.preferential else "full rates"
    verdict = "allowed" if a.allowed else "REFUSED"
    return (
        f"dutiable value {format_yuan(a.dutiable_value_fen)} CNY: tariff "
        f"{format_yuan(a.tariff_fen)} + VAT {format_yuan(a.vat_fen)} + consumption tax "
        f"{format_yuan(a.consumption_tax_fen)} = {format_yuan(a.total_fen)} CNY "
        f"({kind}, {verdict})"
    )


@app.command()
def quote(
    value: Annotated[str, typer.Option("--value", help="Goods value in yuan.")],
    freight: Annotated[str, typer.Option("--freight", help="Freight in yuan.")],
    hs_code: Annotated[str, typer.Option("--hs-code", help="10-digit HS code.")],
    items: Annotated[int, typer.Option("--items", min=1, help="Items in the order.")] = 2,
    buyer_used: Annotated[
        str, typer.Option("--buyer-used", help="Buyer's yearly total so far, yuan.")
    ] = "0",
    insurance: Annotated[str, typer.Option("--insurance", help="Insurance in yuan.")] = "0",
    qty1: Annotated[
        str, typer.Option("--qty1", help="Legal quantity (for high-end cosmetics).")
    ] = "0",
    unit1: Annotated[str, typer.Option("--unit1", help="Legal unit code, e.g. 096 ml.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Quote the tax of a parcel of one goods line. Exit 0 even when refused for the channel;
    1 when the HS code has no rate or an amount is bad."""
    line = TaxableLine(
        gnum=1,
        hs_code=hs_code,
        total_price=_yuan("--value", value),
        qty=Decimal(items),
        qty1=_yuan("--qty1", qty1),
        unit1=unit1,
        name="",
    )
    assessment = assess_import_tax(
        [line],
        freight=_yuan("--freight", freight),
        insured_fee=_yuan("--insurance", insurance),
        buyer_used_fen=yuan_to_fen(_yuan("--buyer-used", buyer_used)),
        rates=_rates_in_force(),
        items=items,
    )
    typer.echo(_as_json(assessment) if as_json else _as_line(assessment))
    if not as_json:
        for reason in assessment.reasons:
            typer.echo(f"  {reason.code}: {reason.message_zh} / {reason.message_en}")
    if any(r.code == "tax.no_rate" for r in assessment.reasons):
        typer.echo(f"tax.no_rate: no tax rate for HS code {hs_code}", err=True)
        raise typer.Exit(1)


def _load_defaults(session: Session) -> None:
    tax_service.load_default_rates_into(session)


def _rates_in_force() -> RateTable:
    """The rate table stored in the platform's database (the packaged defaults after
    `db upgrade`, or what the zone imported since)."""
    engine = engine_for_command(loaders=[_load_defaults])
    with unit_of_work(make_sessionmaker(engine)) as session:
        tax_service.load_default_rates_into(session)
        return tax_service.rate_table(session)


rates_app = typer.Typer(help="The tax rate table in force (税率表).", no_args_is_help=True)
app.add_typer(rates_app, name="rates")


@rates_app.command("import")
def import_rates(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="rates CSV")],
) -> None:
    """Replace the whole rate table with a CSV of the packaged format (hs_code, vat_rate,
    ct_rate, ct_rule, mfn_rate, source, confirmed). Nothing changes when a row is bad."""
    try:
        table = parse_rates_csv(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(1) from None
    engine = engine_for_command(loaders=[_load_defaults])
    with unit_of_work(make_sessionmaker(engine)) as session:
        count = tax_service.replace_rates(session, table)
    typer.echo(f"{count} rates in force")


@rates_app.command("show")
def show_rates(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The rates in force."""
    table = _rates_in_force()
    rows = [
        {
            "hs_code": r.hs_code,
            "vat_rate": str(r.vat_rate),
            "ct_rate": str(r.ct_rate),
            "ct_rule": r.ct_rule,
            "mfn_rate": str(r.mfn_rate),
            "source": r.source,
            "confirmed": r.confirmed,
        }
        for r in sorted(table.rates.values(), key=lambda r: r.hs_code)
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['hs_code']} VAT {row['vat_rate']} CT {row['ct_rate']} ({row['ct_rule']})")
