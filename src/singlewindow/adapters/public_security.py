"""The public-security identity check (公安身份核验) over HTTP: the real `IdentityChecker`.

POST `{base_url}/identity-checks` with `{"idType", "idNumber", "name"}`; the answer is
`{"verified": bool, "reason": str | null}`. Failures of the exchange are reason codes
`public_security.timeout|unreachable|bad_status|malformed_answer` (see `is_unanswered`), so
the caller can tell "the ID does not match" from "nobody answered".
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from singlewindow.adapters.transport import (
    UNANSWERED,
    JsonEndpoint,
    timeout_from_env,
    verdict_of,
)
from singlewindow.registry.domain import IdentityResult

AGENCY = "public_security"
PATH = "/identity-checks"
URL_ENV = "SINGLEWINDOW_PUBLIC_SECURITY_URL"


def is_unanswered(result: IdentityResult) -> bool:
    """True when the check failed for want of an answer, not because the agency said no."""
    code = result.reason_code or ""
    return code.startswith(f"{AGENCY}.") and code.removeprefix(f"{AGENCY}.") in UNANSWERED


class HttpIdentityChecker:
    def __init__(self, base_url: str, timeout: float = 2.0) -> None:
        self._endpoint = JsonEndpoint(base_url.rstrip("/") + PATH, timeout)

    def check(self, id_type: str, id_number: str, name: str) -> IdentityResult:
        exchange = self._endpoint.post({"idType": id_type, "idNumber": id_number, "name": name})
        verified, reason = verdict_of(exchange, AGENCY)
        return IdentityResult(verified, reason)

    def close(self) -> None:
        self._endpoint.close()


def checker_from_env(environ: Mapping[str, str] | None = None) -> HttpIdentityChecker | None:
    """The HTTP checker when `SINGLEWINDOW_PUBLIC_SECURITY_URL` is set; None keeps the local
    check-digit checker."""
    env = os.environ if environ is None else environ
    url = env.get(URL_ENV, "").strip()
    return HttpIdentityChecker(url, timeout_from_env(env)) if url else None
