"""Fixtures of the console tests: one seeded zone per test process, read-only by the tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.web.seeding import NOW, ConsoleZone, build_console_zone

from singlewindow.api.app import create_app
from singlewindow.kit.clock import FixedClock


@pytest.fixture(scope="session")
def console_zone(tmp_path_factory: pytest.TempPathFactory) -> ConsoleZone:
    return build_console_zone(tmp_path_factory.mktemp("console"))


@pytest.fixture(scope="session")
def console(console_zone: ConsoleZone) -> Iterator[TestClient]:
    app = create_app(database_url=console_zone.url, clock=FixedClock(NOW))
    with TestClient(app, follow_redirects=False) as client:
        yield client
