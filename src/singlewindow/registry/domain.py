"""Filed parties and goods (备案): enterprises, commodities, persons, and their codes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What an enterprise does in a cross-border e-commerce parcel's chain."""

    EBP = "ebp"  # 电商平台
    EBC = "ebc"  # 电商企业 (seller)
    PAY = "pay"  # 支付企业
    LOGISTICS = "logistics"  # 物流企业
    AGENT = "agent"  # 申报企业 (declaring agent)
    WAREHOUSE = "warehouse"  # 仓储企业


class CreditClass(StrEnum):
    """Customs credit classes of 海关总署令第282号 (in force 2026-04-01)."""

    ADVANCED = "advanced"  # 高级认证企业
    CERTIFIED = "certified"  # 认证企业
    REGULAR = "regular"  # 常规企业
    DISHONEST = "dishonest"  # 失信企业
    SERIOUSLY_DISHONEST = "seriously_dishonest"  # 严重失信企业


class IdType(StrEnum):
    """buyerIdType of the CEB messages: 1 = resident identity card, 2 = other."""

    RESIDENT_ID = "1"
    OTHER = "2"


@dataclass(frozen=True, slots=True)
class Enterprise:
    code: str
    name: str
    roles: frozenset[Role]
    credit_class: CreditClass = CreditClass.REGULAR
    county: str | None = None
    park: str | None = None
    certificate_fingerprints: frozenset[str] = frozenset()

    def has_role(self, role: Role) -> bool:
        return role in self.roles


@dataclass(frozen=True, slots=True)
class Certificate:
    """A filed signing certificate: its PEM and the SHA-256 hex of its DER."""

    fingerprint: str
    pem: str


@dataclass(frozen=True, slots=True)
class EnterpriseFiling:
    """An enterprise as filed by an import line, with its certificates."""

    enterprise: Enterprise
    certificates: tuple[Certificate, ...]


@dataclass(frozen=True, slots=True)
class Commodity:
    ebc_code: str
    item_no: str
    hs_code: str
    name: str
    origin_country: str | None = None
    producer: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A buyer (订购人). Buyers need not be filed before they order."""

    id_type: IdType
    id_number: str
    name: str


ImportRecord = EnterpriseFiling | Commodity | Person


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one import stored: the number of records of each kind (new and updated)."""

    enterprises: int = 0
    commodities: int = 0
    persons: int = 0
    certificates: int = 0

    @property
    def total(self) -> int:
        return self.enterprises + self.commodities + self.persons


@dataclass(frozen=True, slots=True)
class IdentityResult:
    verified: bool
    reason_code: str | None = None
