"""`singlewindow summary run|show|warnings`: summary declaration from the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from singlewindow.db.session import make_sessionmaker, unit_of_work
from singlewindow.kit.clock import system_clock
from singlewindow.kit.errors import DomainError
from singlewindow.release.runtime import open_database
from singlewindow.summary import service, views

app = typer.Typer(help="Summary declaration (清单核放、汇总申报).", no_args_is_help=True)


@app.callback()
def group() -> None:
    """Summary declaration (清单核放、汇总申报)."""


@app.command("run")
def run(
    ebc: Annotated[str, typer.Option("--ebc", help="The seller's code (ebcCode)")],
    month: Annotated[str, typer.Option("--month", help="YYYY-MM, by the platform's calendar")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Summarise the seller's export inventories closed in the month into declarations."""
    engine = open_database()
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            now = system_clock()
            row = service.run_month(session, ebc, month, now=now, actor="cli")
            receipt = service.receipt_of(session, row, now)
    except DomainError as exc:
        typer.echo(exc.summary(), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(receipt.as_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(
            f"{receipt.sum_no} {receipt.return_status} {receipt.inventories} inventories, "
            f"{receipt.declarations} declarations, {len(receipt.excluded)} left out"
        )
    if receipt.return_status == service.RETURN_REFUSED:
        raise typer.Exit(1)


@app.command("show")
def show(
    sum_no: Annotated[str, typer.Argument(help="The summary number (sumNo)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """A summary with its declarations, lines and their export tax treatment."""
    engine = open_database()
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            view = views.get_summary(session, None, sum_no)
    except DomainError as exc:
        typer.echo(exc.summary(), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{view['sumNo']} {view['ebcCode']} {view['month']} {view['status']}")
    for d in view["declarations"]:
        typer.echo(f"  {d['declSeqNo']} {d['country']} {d['portCode']} {d['inventoryCount']}")
        for x in d["lines"]:
            tax = x["tax"]
            typer.echo(
                f"    {x['gseqno']} {x['gcode']} {x['country']} {x['currency']} "
                f"{x['qty']} {x['totalPrice']} {tax['treatment']}"
            )


@app.command("warnings")
def warnings(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Months whose closed inventories were not summarised by the 15th of the next month."""
    engine = open_database()
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            rows = views.list_warnings(session, None, system_clock())
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for w in rows:
        typer.echo(f"{w['ebcCode']} {w['month']} {w['count']} overdue since {w['deadline']}")
