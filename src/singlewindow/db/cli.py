"""`singlewindow db upgrade`: create or migrate the schema (idempotent)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from singlewindow.db.migrate import Loader, head_revisions, upgrade, write_revision
from singlewindow.db.session import make_engine


def make_app(loaders: Sequence[Loader] = ()) -> typer.Typer:
    """The `db` command group; the root command passes the reference-data loaders."""
    app = typer.Typer(help="Database schema (数据库).", no_args_is_help=True)

    @app.callback()
    def group() -> None:
        """Database schema (数据库)."""

    @app.command("upgrade")
    def upgrade_command() -> None:
        """Create or migrate the schema to the newest revision, then load reference data."""
        engine = make_engine()
        try:
            upgrade(engine, loaders)
        finally:
            engine.dispose()
        url = engine.url.render_as_string(hide_password=True)
        typer.echo(f"database at revision {', '.join(sorted(head_revisions()))}: {url}")

    @app.command("revision")
    def revision_command(
        message: Annotated[str, typer.Option("--message", "-m", help="What the revision does.")],
    ) -> None:
        """Write the next migration from the tables (for developers; review before committing)."""
        for path in write_revision(message):
            typer.echo(path)

    return app


app = make_app()
