"""Which capability commands the root command carries. Each capability owns its cli module."""

from __future__ import annotations

import typer

from singlewindow.audit import cli as audit_cli
from singlewindow.auth import cli as auth_cli
from singlewindow.cli import run
from singlewindow.db import cli as db_cli
from singlewindow.message import cli as message_cli
from singlewindow.message import signing_cli
from singlewindow.queue import cli as queue_cli
from singlewindow.registry import cli as registry_cli
from singlewindow.release import cli as release_cli
from singlewindow.release.context import load_reference_data
from singlewindow.statistics import cli as statistics_cli
from singlewindow.summary import cli as summary_cli
from singlewindow.tax import cli as tax_cli


def mount(app: typer.Typer) -> None:
    signing_cli.register(message_cli.app)
    app.add_typer(message_cli.app, name="message")
    app.add_typer(db_cli.make_app([load_reference_data]), name="db")
    app.add_typer(registry_cli.app, name="registry")
    app.add_typer(auth_cli.app, name="user")
    app.add_typer(tax_cli.app, name="tax")
    app.add_typer(summary_cli.app, name="summary")
    app.add_typer(statistics_cli.app, name="statistics")
    app.add_typer(audit_cli.app, name="audit")
    release_cli.register(app)
    app.command("serve")(run.serve)
    app.command("demo")(run.demo)
    app.command("worker")(queue_cli.worker)
