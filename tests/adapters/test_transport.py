"""Adapters chosen and configured from the environment."""

from __future__ import annotations

import pytest
from tests.adapters.stub import json_reply, stub_server

from singlewindow.adapters.bank import HttpPaymentVerifier, verifier_from_env
from singlewindow.adapters.public_security import HttpIdentityChecker, checker_from_env
from singlewindow.adapters.transport import timeout_from_env
from singlewindow.registry.domain import IdentityResult


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({}, 2.0, id="default_case"),
        pytest.param({"SINGLEWINDOW_ADAPTER_TIMEOUT": "0.5"}, 0.5, id="set_case"),
        pytest.param({"SINGLEWINDOW_ADAPTER_TIMEOUT": " "}, 2.0, id="blank_case"),
    ],
)
def test_timeout_from_env(environ: dict[str, str], expected: float) -> None:
    assert timeout_from_env(environ) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("0", id="zero_case"),
        pytest.param("61", id="too_long_case"),
        pytest.param("soon", id="not_a_number_case"),
    ],
)
def test_timeout_from_env_refuses(value: str) -> None:
    with pytest.raises(ValueError):
        timeout_from_env({"SINGLEWINDOW_ADAPTER_TIMEOUT": value})


def test_no_url_means_no_http_adapter() -> None:
    assert (checker_from_env({}), verifier_from_env({})) == (None, None)


def test_adapters_from_env_talk_to_the_url() -> None:
    with stub_server(lambda path, body: json_reply({"verified": True})) as stub:
        env = {
            "SINGLEWINDOW_PUBLIC_SECURITY_URL": stub.url,
            "SINGLEWINDOW_BANK_URL": stub.url,
            "SINGLEWINDOW_ADAPTER_TIMEOUT": "1",
        }
        checker = checker_from_env(env)
        verifier = verifier_from_env(env)
        assert isinstance(checker, HttpIdentityChecker)
        assert isinstance(verifier, HttpPaymentVerifier)
        assert checker.check("1", "110101199003074514", "张三") == IdentityResult(True)
    assert [path for path, _ in stub.seen] == ["/identity-checks"]
