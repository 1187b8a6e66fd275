from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hostile import CASES, SECRET
from samples import sample
from typer.testing import CliRunner

from singlewindow.message import HostileInput, Unparsable, check, decode, format_receipt
from singlewindow.message.cli import app


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.mark.parametrize(
    ("build", "code"), [pytest.param(b, c, id=f"{name}_case") for name, b, c in CASES]
)
def test_hostile_input_is_refused_fast_by_decode_check_and_cli(
    build: Callable[[Path], bytes], code: str, secret_file: Path, tmp_path: Path
) -> None:
    data = build(secret_file)
    start = time.perf_counter()
    with pytest.raises(HostileInput) as caught:
        decode(data)
    assert time.perf_counter() - start < 0.1
    assert [p.code for p in caught.value.problems] == [code]
    assert SECRET not in str(caught.value)

    start = time.perf_counter()
    result = check(data)
    assert time.perf_counter() - start < 0.1
    assert (result.valid, result.message_type, [e.code for e in result.errors]) == (
        False,
        None,
        [code],
    )

    receipt = format_receipt(
        result.errors, ori_message_type=None, original=data[:4096], now=datetime.now(UTC)
    )
    assert SECRET.encode() not in receipt
    assert check(receipt).valid is True

    document = tmp_path / "hostile.xml"
    document.write_bytes(data)
    for command in (["check", str(document)], ["check", "--json", str(document)]):
        outcome = CliRunner().invoke(app, command)
        assert outcome.exit_code == 1
        assert code in outcome.output
        assert SECRET not in outcome.output
        assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    shown = CliRunner().invoke(app, ["show", "--json", str(document)])
    assert shown.exit_code == 1
    assert SECRET not in shown.output


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(b"<a><b></a>", "xml.not_well_formed", id="mismatched_tag_case"),
        pytest.param(b"", "xml.not_well_formed", id="empty_case"),
        pytest.param(b"\xff\xfe garbage", "xml.not_well_formed", id="binary_case"),
        # One byte-order mark is allowed before the document, not two (found by Hypothesis).
        pytest.param(
            b"\xef\xbb\xbf" + sample("CEB311"), "xml.not_well_formed", id="second_bom_case"
        ),
    ],
)
def test_unparsable_input(data: bytes, code: str) -> None:
    with pytest.raises(Unparsable):
        decode(data)
    result = check(data)
    assert (result.valid, [e.code for e in result.errors]) == (False, [code])
