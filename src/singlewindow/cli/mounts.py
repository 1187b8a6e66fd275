"""Which capability commands the root command carries. Each capability owns its cli module."""

from __future__ import annotations

import typer


def mount(app: typer.Typer) -> None:
    pass
