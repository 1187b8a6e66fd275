"""JSON over HTTP to an outside agency, where every failure is a coded answer, never a raise.

An agency that does not answer in time, cannot be reached, answers with an error status or
answers something that is not a JSON object gives the caller a reason code
(`<agency>.timeout`, `.unreachable`, `.bad_status`, `.malformed_answer`), so clearance can
decide what an unanswered check means instead of crashing mid-batch.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

TIMEOUT = "timeout"
UNREACHABLE = "unreachable"
BAD_STATUS = "bad_status"
MALFORMED = "malformed_answer"
# Failures of the exchange itself: the agency said nothing about the question asked.
UNANSWERED = frozenset({TIMEOUT, UNREACHABLE, BAD_STATUS, MALFORMED})

TIMEOUT_ENV = "SINGLEWINDOW_ADAPTER_TIMEOUT"
DEFAULT_TIMEOUT = 2.0

# What a reason sent by an agency may look like before we pass it on as part of a code.
_REASON = re.compile(r"[a-z0-9_]{1,48}")


@dataclass(frozen=True, slots=True)
class Exchange:
    """The agency's JSON object, or why there is none."""

    answer: dict[str, Any] | None
    failure: str | None = None


class JsonEndpoint:
    """POSTs JSON to one URL with a total timeout; keeps one pooled connection client."""

    def __init__(self, url: str, timeout: float, *, client: httpx.Client | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self._client = client or httpx.Client(timeout=timeout)

    def post(self, payload: dict[str, Any]) -> Exchange:
        try:
            response = self._client.post(self.url, json=payload, timeout=self.timeout)
        except httpx.TimeoutException:
            return Exchange(None, TIMEOUT)
        except httpx.TransportError:
            return Exchange(None, UNREACHABLE)
        if response.status_code != 200:
            return Exchange(None, BAD_STATUS)
        try:
            answer = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            return Exchange(None, MALFORMED)
        if not isinstance(answer, dict):
            return Exchange(None, MALFORMED)
        return Exchange(answer)

    def close(self) -> None:
        self._client.close()


def verdict_of(exchange: Exchange, agency: str) -> tuple[bool, str | None]:
    """Read a `{"verified": bool, "reason": str | null}` answer as (verified, reason code).

    A refusal without a usable reason is `<agency>.refused`; an agency's own reason is kept
    as `<agency>.<reason>` when it is a plain lower-case token.
    """
    if exchange.answer is None:
        return False, f"{agency}.{exchange.failure}"
    verified = exchange.answer.get("verified")
    reason = exchange.answer.get("reason")
    if not isinstance(verified, bool) or not (reason is None or isinstance(reason, str)):
        return False, f"{agency}.{MALFORMED}"
    if verified:
        return True, None
    if reason is not None and _REASON.fullmatch(reason) and reason not in UNANSWERED:
        return False, f"{agency}.{reason}"
    return False, f"{agency}.refused"


def timeout_from_env(environ: Mapping[str, str] | None = None) -> float:
    """Seconds to wait for an outside agency (`SINGLEWINDOW_ADAPTER_TIMEOUT`, default 2)."""
    value = (os.environ if environ is None else environ).get(TIMEOUT_ENV, "").strip()
    timeout = float(value) if value else DEFAULT_TIMEOUT
    if not 0 < timeout <= 60:
        raise ValueError(f"{TIMEOUT_ENV}={value!r}: a timeout is more than 0 and at most 60 s")
    return timeout
