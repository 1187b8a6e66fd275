"""The `sign` and `verify` commands: exit 0 success, 1 refused, 2 usage; never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from tests.message.keys import rsa_pair, signature_bytes, sm2_pair, unsigned
from typer.testing import CliRunner

from singlewindow.message.signing_cli import register


@pytest.fixture
def app() -> typer.Typer:
    made = typer.Typer()
    register(made)
    return made


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    sm2, rsa = sm2_pair("ebp-sm2", "03000000000cde6f"), rsa_pair("ebp-rsa", 0x3039)
    contents = {
        "doc": unsigned(621),
        "sm2_key": sm2.key_pem,
        "sm2_cert": sm2.cert_pem,
        "rsa_key": rsa.key_pem,
        "rsa_cert": rsa.cert_pem,
        "hostile": b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        "garbage": b"not a certificate",
    }
    paths = {}
    for name, data in contents.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    return paths


def run(app: typer.Typer, *args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_sign_to_stdout_keeps_bytes_and_verifies(app, files) -> None:
    signed = run(app, "sign", files["doc"], "--key", files["sm2_key"], "--cert", files["sm2_cert"])
    assert signed.exit_code == 0
    start, end = signature_bytes(signed.stdout_bytes)
    assert signed.stdout_bytes[:start] + signed.stdout_bytes[end:] == unsigned(621)
    out = files["doc"].with_name("signed.xml")
    out.write_bytes(signed.stdout_bytes)
    verified = run(app, "verify", out)
    assert verified.exit_code == 0
    assert verified.stdout == (
        "valid sm2-sm3 signature.valid: 签名有效 / signature is valid\n"
        "certificate 03000000000cde6f CN=ebp-sm2\n"
    )


def test_sign_to_file_with_algorithm_then_verify_json(app, files) -> None:
    out = files["doc"].with_name("signed.xml")
    result = run(
        app,
        "sign",
        files["doc"],
        "--key",
        files["rsa_key"],
        "--cert",
        files["rsa_cert"],
        "--alg",
        "rsa-sha256",
        "-o",
        out,
    )
    assert (result.exit_code, result.stdout) == (0, "")
    verified = run(app, "verify", out, "--cert", files["rsa_cert"], "--json")
    assert verified.exit_code == 0
    assert json.loads(verified.stdout) == {
        "valid": True,
        "algorithm": "rsa-sha256",
        "reason_code": "signature.valid",
        "reason_zh": "签名有效",
        "reason_en": "signature is valid",
        "cert_serial": "3039",
        "cert_subject": "CN=ebp-rsa",
    }


def test_tampered_document_exits_1_with_reason(app, files) -> None:
    out = files["doc"].with_name("signed.xml")
    run(
        app, "sign", files["doc"], "--key", files["sm2_key"], "--cert", files["sm2_cert"], "-o", out
    )
    out.write_bytes(out.read_bytes().replace(b"order2016030811340008<", b"order2016030811340009<"))
    result = run(app, "verify", out, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["reason_code"] == "signature.digest_mismatch"


def test_wrong_certificate_exits_1(app, files) -> None:
    out = files["doc"].with_name("signed.xml")
    run(
        app, "sign", files["doc"], "--key", files["sm2_key"], "--cert", files["sm2_cert"], "-o", out
    )
    result = run(app, "verify", out, "--cert", files["rsa_cert"])
    assert result.exit_code == 1
    assert result.stdout.startswith("invalid sm2-sm3 signature.wrong_certificate: ")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param(("verify", "doc"), "signature.missing", id="unsigned_case"),
        pytest.param(("verify", "hostile"), "hostile.doctype", id="hostile_verify_case"),
        pytest.param(
            ("verify", "doc", "--cert", "garbage"),
            "signature.bad_certificate",
            id="garbage_cert_case",
        ),
        pytest.param(
            ("sign", "hostile", "--key", "sm2_key", "--cert", "sm2_cert"),
            "hostile.doctype",
            id="hostile_sign_case",
        ),
        pytest.param(
            ("sign", "doc", "--key", "rsa_key", "--cert", "sm2_cert"),
            "signature.bad_key",
            id="key_not_for_cert_case",
        ),
        pytest.param(
            ("sign", "doc", "--key", "sm2_key", "--cert", "sm2_cert", "--alg", "rsa-sha1"),
            "signature.key_algorithm_mismatch",
            id="algorithm_not_for_key_case",
        ),
    ],
)
def test_refusals_exit_1_without_traceback(app, files, args, code) -> None:
    result = run(app, *(files.get(a, a) for a in args))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert code in result.output


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("sign", "doc", "--key", "sm2_key"), id="missing_cert_case"),
        pytest.param(
            ("sign", "doc", "--key", "sm2_key", "--cert", "sm2_cert", "--alg", "md5"),
            id="unknown_alg_case",
        ),
        pytest.param(("verify", "no-such-file"), id="missing_file_case"),
        pytest.param(("verify",), id="no_file_case"),
    ],
)
def test_usage_errors_exit_2(app, files, args) -> None:
    result = run(app, *(files.get(a, a) for a in args))
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
