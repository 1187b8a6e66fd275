"""The root command; each capability mounts its own commands here."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="singlewindow",
    help="Single window for a cross-border e-commerce comprehensive pilot zone (单一窗口).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _mount() -> None:
    # Imported here so that `singlewindow --help` lists every capability's commands.
    from singlewindow.cli import mounts

    mounts.mount(app)


_mount()
