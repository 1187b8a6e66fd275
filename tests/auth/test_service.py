from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from singlewindow.auth import service
from singlewindow.auth.cli import app
from singlewindow.auth.domain import AgencyRole, Principal
from singlewindow.auth.tables import UserRow
from singlewindow.db.session import unit_of_work
from singlewindow.kit.clock import FixedClock
from singlewindow.kit.errors import DomainError
from singlewindow.registry import service as registry

SELLER = "91411000MA9XC7Q2X8"


def _file_seller(factory: sessionmaker[Session]) -> None:
    line = {"kind": "enterprise", "code": SELLER, "name": "许昌发制品", "roles": ["ebc"]}
    with unit_of_work(factory) as session:
        registry.import_records(session, [json.dumps(line, ensure_ascii=False)])


def test_add_user_then_authenticate(
    session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    _file_seller(session_factory)
    with unit_of_work(session_factory) as session:
        officer, officer_key = service.add_user(
            session, AgencyRole.CUSTOMS, "许昌海关 查验科", None, clock=clock
        )
        seller, seller_key = service.add_user(
            session, AgencyRole.ENTERPRISE, "发制品 报关员", SELLER, clock=clock
        )
    assert officer_key != seller_key and officer_key.startswith("sw_")
    with session_factory() as session:
        assert service.authenticate(session, officer_key) == Principal(
            officer.user_id, AgencyRole.CUSTOMS, "许昌海关 查验科", None
        )
        assert service.authenticate(session, seller_key) == Principal(
            seller.user_id, AgencyRole.ENTERPRISE, "发制品 报关员", SELLER
        )
        assert service.authenticate(session, officer_key + "x") is None
        assert service.authenticate(session, "") is None
        row = session.get(UserRow, officer.user_id)
        assert row is not None
        assert row.key_hash == hashlib.sha256(officer_key.encode()).hexdigest()
        assert row.created_at == clock()


@pytest.mark.parametrize(
    ("role", "enterprise", "code"),
    [
        pytest.param(AgencyRole.ENTERPRISE, None, "auth.enterprise_required", id="no_code_case"),
        pytest.param(
            AgencyRole.ENTERPRISE,
            "91370000728611939A",
            "auth.enterprise_not_filed",
            id="unfiled_case",
        ),
        pytest.param(AgencyRole.TAX, SELLER, "auth.enterprise_for_officer", id="officer_case"),
    ],
)
def test_add_user_refusals(
    session_factory: sessionmaker[Session], role: AgencyRole, enterprise: str | None, code: str
) -> None:
    _file_seller(session_factory)
    with pytest.raises(DomainError) as raised, unit_of_work(session_factory) as session:
        service.add_user(session, role, "某人", enterprise)
    assert raised.value.code == code
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(UserRow)) == 0


def test_cli_prints_the_key_once(database_url: str, session_factory: sessionmaker[Session]) -> None:
    _file_seller(session_factory)
    env = {"SINGLEWINDOW_DATABASE_URL": database_url}
    result = CliRunner().invoke(
        app, ["add", "--role", "enterprise", "--name", "报关员", "--enterprise", SELLER], env=env
    )
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()
    assert first == "user 1 (enterprise) 报关员"
    key = second.removeprefix("X-API-Key: ")
    with session_factory() as session:
        assert service.authenticate(session, key) == Principal(
            1, AgencyRole.ENTERPRISE, "报关员", SELLER
        )
    refused = CliRunner().invoke(app, ["add", "--role", "enterprise", "--name", "x"], env=env)
    assert refused.exit_code == 1
    assert "auth.enterprise_required" in refused.stderr
