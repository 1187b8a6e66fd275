from __future__ import annotations

import pytest

from singlewindow.auth.domain import (
    AgencyRole,
    Principal,
    mask_id_number,
    mask_phone,
    may_see_personal_data,
)


@pytest.mark.parametrize(
    ("role", "may_see"),
    [
        pytest.param(role, role in {"customs", "public_security"}, id=f"{role}_case")
        for role in AgencyRole
    ],
)
def test_only_customs_and_public_security_see_personal_data(
    role: AgencyRole, may_see: bool
) -> None:
    assert may_see_personal_data(Principal(1, role, "x")) is may_see


def test_eleven_roles() -> None:
    assert [r.value for r in AgencyRole] == [
        "zone_admin", "customs", "inspection", "tax", "forex", "commerce",
        "market_regulation", "public_security", "statistics", "post", "enterprise",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        pytest.param("34052419800101001X", "340524********001X", id="id18_case"),
        pytest.param("E12345678", "*********", id="short_document_case"),
    ],
)
def test_mask_id_number(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        pytest.param("13812345678", "138****5678", id="mobile_case"),
        pytest.param("12345", "*****", id="short_case"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked
