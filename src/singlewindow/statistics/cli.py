"""`singlewindow statistics …`: file facilities, set targets, print the dashboard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from singlewindow.auth.domain import AgencyRole, Principal
from singlewindow.db.migrate import engine_for_command
from singlewindow.db.session import make_sessionmaker, unit_of_work
from singlewindow.kit.clock import system_clock
from singlewindow.kit.errors import DomainError
from singlewindow.statistics import service

app = typer.Typer(help="Statistics monitoring (统计监测).", no_args_is_help=True)
facilities_app = typer.Typer(
    help="Parks, bases, overseas warehouses, key enterprises.", no_args_is_help=True
)
app.add_typer(facilities_app, name="facilities")

# The command line runs with the operator's authority over the zone.
_OPERATOR = Principal(0, AgencyRole.ZONE_ADMIN, "cli")


@app.callback()
def group() -> None:
    """Statistics monitoring (统计监测)."""


@facilities_app.callback()
def facilities_group() -> None:
    """Parks, bases, overseas warehouses, key enterprises (R11)."""


@facilities_app.command("import")
def import_file(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="JSONL file.")
    ],
) -> None:
    """File facilities from JSONL; re-filing a code updates it. Nothing is stored if a line is
    bad."""
    engine = engine_for_command()
    try:
        with (
            file.open(encoding="utf-8") as lines,
            unit_of_work(make_sessionmaker(engine)) as session,
        ):
            filed = service.import_facilities(session, lines)
    except DomainError as error:
        for p in error.problems:
            typer.echo(f"{file}:{p.line} {p.path} {p.code} {p.message_zh} / {p.message_en}")
        typer.echo(f"{len(error.problems)} bad line(s); nothing was stored", err=True)
        raise typer.Exit(1) from error
    finally:
        engine.dispose()
    typer.echo(f"filed {filed} facilities")


@app.command("dashboard")
def dashboard() -> None:
    """Print the zone dashboard as JSON."""
    engine = engine_for_command()
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            found = service.dashboard(session, _OPERATOR, now=system_clock())
    finally:
        engine.dispose()
    typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
