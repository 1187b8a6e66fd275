"""Rate limits per API key: token buckets, the env setting, and 429 over HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from singlewindow.api.app import create_app
from singlewindow.api.ratelimit import (
    DEFAULT_LIMIT,
    RATE_LIMIT_ENV,
    RateLimit,
    TokenBuckets,
    key_of,
    limit_from_env,
    parse_limit,
)
from singlewindow.auth import service as auth_service
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.session import unit_of_work
from singlewindow.kit.clock import FixedClock


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("5", RateLimit(5.0, 10), id="rate_only_case"),
        pytest.param("0.5", RateLimit(0.5, 1), id="slow_rate_case"),
        pytest.param("20,3", RateLimit(20.0, 3), id="rate_and_burst_case"),
        pytest.param(" off ", None, id="off_case"),
        pytest.param("0", None, id="zero_case"),
    ],
)
def test_parse_limit(value: str, expected: RateLimit | None) -> None:
    assert parse_limit(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("fast", id="not_a_number_case"),
        pytest.param("-1", id="negative_case"),
        pytest.param("5,0", id="no_burst_case"),
        pytest.param("nan", id="nan_case"),
    ],
)
def test_parse_limit_refuses(value: str) -> None:
    with pytest.raises(ValueError):
        parse_limit(value)


def test_limit_from_env_defaults() -> None:
    assert limit_from_env({}) == DEFAULT_LIMIT
    assert limit_from_env({RATE_LIMIT_ENV: ""}) == DEFAULT_LIMIT
    assert limit_from_env({RATE_LIMIT_ENV: "3,4"}) == RateLimit(3.0, 4)


def test_bucket_allows_burst_then_refills_at_the_rate() -> None:
    ticks = Ticks()
    buckets = TokenBuckets(RateLimit(2.0, 3), clock=ticks)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == 0.5
    assert buckets.take("b") == 0.0  # another key has its own bucket
    ticks.now += 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == 0.5
    ticks.now += 60  # refills only up to the burst
    assert [buckets.take("a") for _ in range(4)] == [0.0, 0.0, 0.0, 0.5]


def test_buckets_are_bounded() -> None:
    ticks = Ticks()
    buckets = TokenBuckets(RateLimit(1.0, 1), clock=ticks, max_keys=2)
    assert [buckets.take(k) for k in ("a", "b", "a", "c")] == [0.0, 0.0, 1.0, 0.0]
    # "b" was least recently used and is forgotten (a full bucket again); "a" is still empty.
    assert (buckets.take("a"), buckets.take("b")) == (1.0, 0.0)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param([(b"x-api-key", b"sw_k1")], "sw_k1", id="header_case"),
        pytest.param([(b"cookie", b"sw_lang=zh; sw_key=sw_k2")], "sw_k2", id="cookie_case"),
        pytest.param(
            [(b"cookie", b"sw_key=sw_c"), (b"x-api-key", b"sw_h")], "sw_h", id="header_first_case"
        ),
        pytest.param([(b"cookie", b"sw_lang=zh")], None, id="other_cookie_case"),
        pytest.param([], None, id="no_key_case"),
    ],
)
def test_key_of(headers: list[tuple[bytes, bytes]], expected: str | None) -> None:
    assert key_of({"type": "http", "headers": headers}) == expected


def test_http_429_with_retry_after_per_key(
    database_url: str,
    session_factory: sessionmaker[Session],
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with unit_of_work(session_factory) as session:
        _, key_a = auth_service.add_user(session, AgencyRole.CUSTOMS, "关员甲", None)
        _, key_b = auth_service.add_user(session, AgencyRole.TAX, "税务乙", None)
    monkeypatch.setenv(RATE_LIMIT_ENV, "0.01,2")
    with TestClient(create_app(database_url=database_url, clock=clock)) as client:
        a = [client.get("/registry/enterprises", headers={"X-API-Key": key_a}) for _ in range(3)]
        b = client.get("/registry/enterprises", headers={"X-API-Key": key_b})
        anonymous = [client.get("/health") for _ in range(3)]
    assert [r.status_code for r in a] == [200, 200, 429]
    assert a[2].headers["Retry-After"] == "100"
    assert a[2].json() == {
        "errors": [
            {
                "code": "api.rate_limited",
                "path": "",
                "line": None,
                "record": "",
                "message_zh": "请求过于频繁，请稍后重试",
                "message_en": "too many requests for this API key; retry after the time in "
                "Retry-After",
            }
        ]
    }
    assert b.status_code == 200
    assert [r.status_code for r in anonymous] == [200, 200, 200]


def test_http_no_limit_when_off(
    database_url: str,
    session_factory: sessionmaker[Session],
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(RATE_LIMIT_ENV, "off")
    with TestClient(create_app(database_url=database_url, clock=clock)) as client:
        codes = {
            client.get("/health", headers={"X-API-Key": "sw_x"}).status_code for _ in range(50)
        }
    assert codes == {200}
