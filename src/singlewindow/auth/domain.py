"""Who is asking: agency roles, principals, and which personal data a duty may see."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from singlewindow.kit.errors import DomainError


class AgencyRole(StrEnum):
    ZONE_ADMIN = "zone_admin"  # 综试区管理
    CUSTOMS = "customs"  # 海关
    INSPECTION = "inspection"  # 检验检疫
    TAX = "tax"  # 税务
    FOREX = "forex"  # 外汇
    COMMERCE = "commerce"  # 商务
    MARKET_REGULATION = "market_regulation"  # 市场监管
    PUBLIC_SECURITY = "public_security"  # 公安
    STATISTICS = "statistics"  # 统计
    POST = "post"  # 邮政
    ENTERPRISE = "enterprise"  # 企业


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    role: AgencyRole
    name: str
    enterprise_code: str | None = None

    @property
    def is_enterprise(self) -> bool:
        return self.role is AgencyRole.ENTERPRISE


class Unauthenticated(DomainError):
    """No API key, or one that matches no user."""


# Customs verify buyers' identities for clearance; public security answers identity checks.
_PERSONAL_DATA_ROLES = frozenset({AgencyRole.CUSTOMS, AgencyRole.PUBLIC_SECURITY})


def may_see_personal_data(principal: Principal) -> bool:
    return principal.role in _PERSONAL_DATA_ROLES


def mask_id_number(number: str) -> str:
    """Keep the region code (first 6) and the last 4: 110101********123X."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """Keep the first 3 and the last 4 digits: 138****5678."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
