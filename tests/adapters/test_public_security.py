"""HttpIdentityChecker against a local stub of the public-security interface."""

from __future__ import annotations

from typing import Any

import pytest
from tests.adapters.stub import Reply, closed_port_url, json_reply, stub_server

from singlewindow.adapters.public_security import HttpIdentityChecker, is_unanswered
from singlewindow.registry.domain import IdentityResult
from singlewindow.registry.identity import IdentityChecker

ID = "110101199003074514"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            json_reply({"verified": True, "reason": None}), IdentityResult(True), id="verified_case"
        ),
        pytest.param(
            json_reply({"verified": False, "reason": "name_mismatch"}),
            IdentityResult(False, "public_security.name_mismatch"),
            id="refused_with_reason_case",
        ),
        pytest.param(
            json_reply({"verified": False}),
            IdentityResult(False, "public_security.refused"),
            id="refused_without_reason_case",
        ),
        pytest.param(
            json_reply({"verified": False, "reason": "<script>"}),
            IdentityResult(False, "public_security.refused"),
            id="refused_with_odd_reason_case",
        ),
        pytest.param(
            json_reply({"verified": False, "reason": "timeout"}),
            IdentityResult(False, "public_security.refused"),
            id="agency_cannot_pose_as_unanswered_case",
        ),
        pytest.param(
            Reply(0, b"", delay=1.0),
            IdentityResult(False, "public_security.timeout"),
            id="timeout_case",
        ),
        pytest.param(
            json_reply({"error": "down"}, status=503),
            IdentityResult(False, "public_security.bad_status"),
            id="server_error_case",
        ),
        pytest.param(
            Reply(200, b"<html>ok</html>", content_type="text/html"),
            IdentityResult(False, "public_security.malformed_answer"),
            id="not_json_case",
        ),
        pytest.param(
            json_reply([True]),
            IdentityResult(False, "public_security.malformed_answer"),
            id="not_an_object_case",
        ),
        pytest.param(
            json_reply({"verified": "yes"}),
            IdentityResult(False, "public_security.malformed_answer"),
            id="verified_not_boolean_case",
        ),
        pytest.param(
            json_reply({"verified": False, "reason": 7}),
            IdentityResult(False, "public_security.malformed_answer"),
            id="reason_not_text_case",
        ),
        pytest.param(
            Reply(200, b"\xff\xfe{"),
            IdentityResult(False, "public_security.malformed_answer"),
            id="bad_bytes_case",
        ),
    ],
)
def test_check_over_http(reply: Reply, expected: IdentityResult) -> None:
    def answer(path: str, body: dict[str, Any]) -> Reply:
        # Status 0 marks the slow case: a good answer, too late.
        return reply if reply.status else Reply(200, b'{"verified": true}', delay=reply.delay)

    with stub_server(answer) as stub:
        checker: IdentityChecker = HttpIdentityChecker(stub.url, timeout=0.2)
        result = checker.check("1", ID, "张三")
    assert result == expected
    assert stub.seen == [("/identity-checks", {"idType": "1", "idNumber": ID, "name": "张三"})]


def test_unreachable_agency_is_a_coded_result() -> None:
    result = HttpIdentityChecker(closed_port_url(), timeout=0.5).check("1", ID, "张三")
    assert result == IdentityResult(False, "public_security.unreachable")
    assert is_unanswered(result) is True


@pytest.mark.parametrize(
    ("result", "unanswered"),
    [
        pytest.param(IdentityResult(False, "public_security.timeout"), True, id="timeout_case"),
        pytest.param(
            IdentityResult(False, "public_security.name_mismatch"), False, id="refusal_case"
        ),
        pytest.param(IdentityResult(False, "registry.id_check_digit"), False, id="local_case"),
        pytest.param(IdentityResult(True), False, id="verified_case"),
    ],
)
def test_is_unanswered(result: IdentityResult, unanswered: bool) -> None:
    assert is_unanswered(result) is unanswered


def test_base_url_with_trailing_slash_and_reused_connection() -> None:
    with stub_server(lambda path, body: json_reply({"verified": True})) as stub:
        checker = HttpIdentityChecker(stub.url + "/", timeout=1.0)
        results = [checker.check("1", ID, name) for name in ("张三", "李四")]
        checker.close()
    assert results == [IdentityResult(True), IdentityResult(True)]
    assert [path for path, _ in stub.seen] == ["/identity-checks", "/identity-checks"]
