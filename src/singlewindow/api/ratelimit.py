"""Rate limits per API key: a token bucket per key, kept in this process's memory.

`SINGLEWINDOW_RATE_LIMIT` is `RATE` or `RATE,BURST` (requests per second; burst defaults to
twice the rate, at least 1) or `off`. Unset, the default below applies. A request over the limit
gets 429 with `Retry-After` and a coded error, before any route or database work. Each server
process keeps its own buckets, so with N workers a key may get up to N times the rate.
Requests without a key are not limited here (they are refused as unauthenticated, or are public
pages such as /health).
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

import orjson

from singlewindow.kit.errors import Problem

RATE_LIMIT_ENV = "SINGLEWINDOW_RATE_LIMIT"
KEY_HEADER = b"x-api-key"
KEY_COOKIE = "sw_key"  # the console's sign-in cookie (web.signin)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RateLimit:
    per_second: float
    burst: int


DEFAULT_LIMIT = RateLimit(per_second=100.0, burst=400)


def parse_limit(value: str) -> RateLimit | None:
    """`RATE`, `RATE,BURST` or `off`/`0` (no limit). Raises ValueError on anything else."""
    text = value.strip().lower()
    if text in {"off", "0", "none"}:
        return None
    rate_text, _, burst_text = text.partition(",")
    rate = float(rate_text)
    burst = int(burst_text) if burst_text else max(1, math.ceil(2 * rate))
    if not math.isfinite(rate) or rate <= 0 or burst < 1:
        raise ValueError(f"{RATE_LIMIT_ENV}={value!r}: rate and burst must be positive")
    return RateLimit(rate, burst)


def limit_from_env(environ: Mapping[str, str] | None = None) -> RateLimit | None:
    value = (os.environ if environ is None else environ).get(RATE_LIMIT_ENV)
    return DEFAULT_LIMIT if value is None or not value.strip() else parse_limit(value)


class TokenBuckets:
    """One bucket per key hash. At most `max_keys` buckets are kept (least recently used go
    first), so a flood of made-up keys cannot grow memory without bound."""

    def __init__(
        self,
        limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at
        self._lock = threading.Lock()

    def take(self, key_hash: str) -> float:
        """Take one token; returns 0.0 when allowed, else the seconds until one is due."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.pop(key_hash, (float(self.limit.burst), now))
            tokens = min(float(self.limit.burst), tokens + (now - at) * self.limit.per_second)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.limit.per_second
            self._buckets[key_hash] = (tokens, now)
            if len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            return wait


def key_of(scope: Scope) -> str | None:
    """The caller's API key: the X-API-Key header, else the console's cookie."""
    cookie_header: bytes | None = None
    for name, value in scope.get("headers", ()):
        if name == KEY_HEADER and value:
            return bytes(value).decode("latin-1")
        if name == b"cookie":
            cookie_header = value
    if cookie_header is None:
        return None
    try:
        morsel = SimpleCookie(cookie_header.decode("latin-1")).get(KEY_COOKIE)
    except CookieError:
        return None
    return morsel.value if morsel is not None and morsel.value else None


def _hash(key: str) -> str:
    # Only hashes are kept, as in the users table: a memory dump shows no usable key.
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def too_many_requests_body() -> bytes:
    problem = Problem(
        "api.rate_limited",
        "请求过于频繁，请稍后重试",
        "too many requests for this API key; retry after the time in Retry-After",
    )
    return orjson.dumps({"errors": [problem.as_dict()]})


class RateLimitMiddleware:
    """ASGI middleware; `buckets=None` lets everything through (limits switched off)."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets | None) -> None:
        self.app = app
        self.buckets = buckets
        self._body = too_many_requests_body()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.buckets is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = key_of(scope)
        wait = self.buckets.take(_hash(key)) if key else 0.0
        if wait <= 0.0:
            await self.app(scope, receive, send)
            return
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self._body)).encode()),
            (b"retry-after", str(max(1, math.ceil(wait))).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": self._body})


def buckets_from_env(environ: Mapping[str, str] | None = None) -> TokenBuckets | None:
    limit = limit_from_env(environ)
    return None if limit is None else TokenBuckets(limit)
