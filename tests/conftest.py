"""Shared fixtures: a fresh database per test (SQLite file, or a new database on the PG server
named by SINGLEWINDOW_TEST_DATABASE_URL), engines, sessions, the HTTP client and a fixed clock.

Every test that uses `database_url`, directly or through another fixture, is marked `postgres`,
so the PostgreSQL pass (`-m postgres`) runs exactly the tests that touch a database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from singlewindow.api.app import create_app
from singlewindow.db.migrate import upgrade
from singlewindow.db.session import make_engine, make_sessionmaker
from singlewindow.kit.clock import CST, FixedClock

TEST_URL_ENV = "SINGLEWINDOW_TEST_DATABASE_URL"
FIXED_NOW = datetime(2026, 5, 11, 9, 30, tzinfo=CST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[Engine | None]:
    base = os.environ.get(TEST_URL_ENV)
    if not base:
        yield None
        return
    admin = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


@pytest.fixture
def database_url(tmp_path: Path, _pg_admin: Engine | None) -> Iterator[str]:
    """A fresh, empty database for this test."""
    if _pg_admin is None:
        yield f"sqlite:///{tmp_path / 'singlewindow.db'}"
        return
    name = f"sw_test_{uuid.uuid4().hex[:16]}"
    with _pg_admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(_pg_admin.url).set(database=name).render_as_string(hide_password=False)
    with _pg_admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    yield made
    made.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions over a database migrated to head."""
    upgrade(engine)
    return make_sessionmaker(engine)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FIXED_NOW)


@pytest.fixture
def client(
    database_url: str, session_factory: sessionmaker[Session], clock: FixedClock
) -> Iterator[TestClient]:
    with TestClient(create_app(database_url=database_url, clock=clock)) as test_client:
        yield test_client


def _make_certificate_pem(common_name: str) -> tuple[str, bytes]:
    """A new self-signed certificate: (PEM text, DER bytes)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.PEM).decode("ascii"), cert.public_bytes(Encoding.DER)


@pytest.fixture
def make_certificate() -> Callable[[str], tuple[str, bytes]]:
    """Makes self-signed EC P-256 certificates: name -> (PEM text, DER bytes)."""
    return _make_certificate_pem
