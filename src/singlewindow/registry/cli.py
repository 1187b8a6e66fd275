"""`singlewindow registry import FILE.jsonl`: file enterprises, commodities and persons."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from singlewindow.db.migrate import engine_for_command
from singlewindow.db.session import make_sessionmaker, unit_of_work
from singlewindow.kit.errors import DomainError
from singlewindow.registry import service

app = typer.Typer(
    help="The one filing (备案): enterprises, commodities, persons.", no_args_is_help=True
)


@app.callback()
def group() -> None:
    """The one filing (备案): enterprises, commodities, persons."""


@app.command("import")
def import_file(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="JSONL file.")
    ],
) -> None:
    """Import a JSONL file; re-importing a key updates it. Nothing is stored if any line is bad."""
    engine = engine_for_command()
    try:
        with (
            file.open(encoding="utf-8") as lines,
            unit_of_work(make_sessionmaker(engine)) as session,
        ):
            report = service.import_records(session, lines)
    except DomainError as error:
        for p in error.problems:
            typer.echo(f"{file}:{p.line} {p.path} {p.code} {p.message_zh} / {p.message_en}")
        typer.echo(f"{len(error.problems)} bad line(s); nothing was stored", err=True)
        raise typer.Exit(1) from error
    finally:
        engine.dispose()
    typer.echo(
        f"filed {report.enterprises} enterprises ({report.certificates} certificates), "
        f"{report.commodities} commodities, {report.persons} persons"
    )
