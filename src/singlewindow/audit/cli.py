"""`singlewindow audit verify` (exit 0 intact, 1 naming the first broken record) and `show`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from singlewindow.audit import rules, service
from singlewindow.db.migrate import engine_for_command
from singlewindow.db.session import make_sessionmaker

app = typer.Typer(help="The audit log (审计日志).", no_args_is_help=True)


@app.callback()
def group() -> None:
    """The audit log (审计日志)."""


def _parse_anchor(value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    seq, sep, digest = value.partition(":")
    if not sep or not seq.isdigit() or len(digest) != 64:
        raise typer.BadParameter("expected SEQ:HASH (a record number and its 64-hex hash)")
    return int(seq), digest.lower()


@app.command("verify")
def verify(
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            help="SEQ:HASH printed by an earlier verify; catches records removed from the end.",
        ),
    ] = None,
) -> None:
    """Recompute the hash chain; exit 1 naming the first broken record."""
    expected = _parse_anchor(anchor)
    engine = engine_for_command()
    try:
        with make_sessionmaker(engine)() as session:
            result = service.verify(session, anchor=expected)
    finally:
        engine.dispose()
    if result.intact:
        typer.echo(
            f"audit log intact: {result.records} records, head {result.records}:{result.head_hash}"
        )
        return
    typer.echo(
        f"audit log broken at record {result.first_broken_seq}: {result.reason} — {result.detail}"
    )
    raise typer.Exit(1)


@app.command("show")
def show(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many of the latest.")] = 20,
) -> None:
    """Print the latest records, oldest first, one JSON object a line."""
    engine = engine_for_command()
    try:
        with make_sessionmaker(engine)() as session:
            records = service.list_latest(session, limit)
    finally:
        engine.dispose()
    for r in records:
        line = {
            "seq": r.seq,
            "at": rules.stamp(r.at),
            "actor": r.actor,
            "action": r.action,
            "subject": r.subject,
            "details": r.details,
            "prev_hash": r.prev_hash,
            "hash": r.hash,
        }
        typer.echo(json.dumps(line, ensure_ascii=False, sort_keys=True))
