"""`singlewindow message …`: check, show and schema export of CEB messages.

Exit codes: 0 ok, 1 input refused (invalid, hostile, unparsable), 2 usage. Bad input never
produces a traceback: every refusal is printed as coded problems.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from singlewindow.kit.errors import DomainError, Problem
from singlewindow.message.decoding import check, decode
from singlewindow.message.definitions import MESSAGE_TYPES
from singlewindow.message.records import record_to_json
from singlewindow.message.schema import XMLDSIG_MINIMAL_XSD, json_schema, xsd

app = typer.Typer(
    help="CEB customs messages (报文): check format, show records, export schemas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_REFUSED = 1
EXIT_USAGE = 2


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        typer.echo(f"{path}: cannot read: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _error_json(problem: Problem) -> dict[str, Any]:
    return {
        "code": problem.code,
        "path": problem.path,
        "line": problem.line,
        "message_zh": problem.message_zh,
        "message_en": problem.message_en,
    }


def _error_line(file: str, problem: Problem) -> str:
    where = f"{file}:{problem.line}" if problem.line else file
    record = f" [{problem.record}]" if problem.record else ""
    return (
        f"{where}: {problem.code} {problem.path}{record}: {problem.message_en} "
        f"/ {problem.message_zh}"
    )


@app.command("check")
def check_command(
    files: Annotated[list[Path], typer.Argument(help="CEB XML files to check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
) -> None:
    """Check each file's format against the standard's schema (order, occurrences, facets)."""
    results = []
    for path in files:
        result = check(_read(path))
        results.append((str(path), result))
    if as_json:
        payload = [
            {
                "file": file,
                "message_type": result.message_type,
                "valid": result.valid,
                "records": result.records,
                "errors": [_error_json(p) for p in result.errors],
            }
            for file, result in results
        ]
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for file, result in results:
            if result.valid:
                typer.echo(f"{file}: {result.message_type} valid, {result.records} record(s)")
            for problem in result.errors:
                typer.echo(_error_line(file, problem))
    if not all(result.valid for _, result in results):
        raise typer.Exit(EXIT_REFUSED)


@app.command("show")
def show_command(
    file: Annotated[Path, typer.Argument(help="A CEB XML file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the records as JSON.")] = False,
) -> None:
    """Print a valid message's business records (element names of the standard as keys)."""
    data = _read(file)
    try:
        message = decode(data)
    except DomainError as exc:
        for problem in exc.problems:
            typer.echo(_error_line(str(file), problem), err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    payload = {
        "message_type": message.message_type,
        "guid": message.guid,
        "records": [record_to_json(record) for record in message.records],
    }
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{message.message_type} guid={message.guid} records={len(message.records)}")
    typer.echo(json.dumps(payload["records"], ensure_ascii=False, indent=2))


@app.command("schema")
def schema_command(
    message_type: Annotated[str, typer.Argument(help="A message type, e.g. CEB621.")],
    as_json_schema: Annotated[
        bool, typer.Option("--json-schema", help="JSON Schema of `show --json` instead.")
    ] = False,
    xmldsig: Annotated[
        bool, typer.Option("--xmldsig", help="The minimal ds:Signature schema it imports.")
    ] = False,
) -> None:
    """Print the XSD of a message type, exported from the definitions."""
    key = message_type.upper().removesuffix("MESSAGE")
    if key not in MESSAGE_TYPES:
        typer.echo(
            f"unknown message type {message_type}; known: {', '.join(MESSAGE_TYPES)}", err=True
        )
        raise typer.Exit(EXIT_USAGE)
    if xmldsig:
        typer.echo(XMLDSIG_MINIMAL_XSD, nl=False)
    elif as_json_schema:
        typer.echo(json.dumps(json_schema(key), ensure_ascii=False, indent=2))
    else:
        typer.echo(xsd(key), nl=False)
