"""`sign` and `verify` commands.

Exit 0 success, 1 refused (invalid, unverifiable, hostile), 2 usage.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from singlewindow.kit.errors import DomainError
from singlewindow.message.signing import load_signer, sign_document, verify_document

REFUSED = 1


class Algorithm(StrEnum):
    SM2_SM3 = "sm2-sm3"
    RSA_SHA1 = "rsa-sha1"
    RSA_SHA256 = "rsa-sha256"


def _refuse(error: DomainError, as_json: bool = False) -> typer.Exit:
    if as_json:
        typer.echo(
            json.dumps(
                {"valid": False, "problems": [p.as_dict() for p in error.problems]},
                ensure_ascii=False,
            )
        )
    else:
        for p in error.problems:
            typer.echo(f"refused {p.code}: {p.message_zh} / {p.message_en}", err=True)
    return typer.Exit(REFUSED)


def sign(
    file: Annotated[Path, typer.Argument(help="CEB XML to sign", exists=True, dir_okay=False)],
    key: Annotated[
        Path, typer.Option("--key", help="private key, PEM", exists=True, dir_okay=False)
    ],
    cert: Annotated[
        Path, typer.Option("--cert", help="certificate, PEM", exists=True, dir_okay=False)
    ],
    alg: Annotated[Algorithm | None, typer.Option("--alg", help="default by key type")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="write here, not stdout")] = None,
) -> None:
    """Sign a CEB message (enveloped XML-DSig), keeping every byte of the input. 报文加签。"""
    try:
        signer = load_signer(key.read_bytes(), cert.read_bytes())
        signed = sign_document(file.read_bytes(), signer, alg.value if alg else None)
    except DomainError as error:
        raise _refuse(error) from None
    if out is None:
        typer.echo(signed, nl=False)  # bytes go to the binary stream untouched
    else:
        out.write_bytes(signed)


def verify(
    file: Annotated[Path, typer.Argument(help="signed CEB XML", exists=True, dir_okay=False)],
    cert: Annotated[
        Path | None,
        typer.Option("--cert", help="verify with this certificate", exists=True, dir_okay=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Verify a CEB message's signature. 报文验签。"""
    try:
        result = verify_document(file.read_bytes(), cert.read_bytes() if cert else None)
    except DomainError as error:
        raise _refuse(error, as_json) from None
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        verdict = "valid" if result.valid else "invalid"
        head = " ".join(part for part in (verdict, result.algorithm, result.reason_code) if part)
        typer.echo(f"{head}: {result.reason_zh} / {result.reason_en}")
        if result.cert_subject:
            typer.echo(f"certificate {result.cert_serial} {result.cert_subject}")
    if not result.valid:
        raise typer.Exit(REFUSED)


def register(app: typer.Typer) -> None:
    app.command("sign")(sign)
    app.command("verify")(verify)
