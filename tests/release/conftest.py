"""Fixtures of the clearance tests: keys made once per process, a Platform per test."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.release.harness import Keys, Platform, make_keys, new_platform


@pytest.fixture(scope="session")
def keys() -> Keys:
    return make_keys()


@pytest.fixture
def platform(session_factory: sessionmaker[Session], keys: Keys) -> Platform:
    return new_platform(session_factory, keys)
