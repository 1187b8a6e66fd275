"""`singlewindow user add`: make a user and print its API key, once."""

from __future__ import annotations

from typing import Annotated

import typer

from singlewindow.auth import service
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.migrate import engine_for_command
from singlewindow.db.session import make_sessionmaker, unit_of_work
from singlewindow.kit.errors import DomainError

app = typer.Typer(help="Users and API keys (用户与密钥).", no_args_is_help=True)


@app.callback()
def group() -> None:
    """Users and API keys (用户与密钥)."""


@app.command("add")
def add(
    role: Annotated[AgencyRole, typer.Option("--role", help="Agency role of the user.")],
    name: Annotated[str, typer.Option("--name", help="Name of the person or desk.")],
    enterprise: Annotated[
        str | None,
        typer.Option("--enterprise", help="Code of the filed enterprise (role enterprise only)."),
    ] = None,
) -> None:
    """Add a user and print its new API key (shown only this once)."""
    engine = engine_for_command()
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            principal, key = service.add_user(session, role, name, enterprise)
    except DomainError as error:
        for p in error.problems:
            typer.echo(f"{p.path} {p.code} {p.message_zh} / {p.message_en}", err=True)
        raise typer.Exit(1) from error
    finally:
        engine.dispose()
    typer.echo(f"user {principal.user_id} ({principal.role.value}) {principal.name}")
    typer.echo(f"X-API-Key: {key}")
