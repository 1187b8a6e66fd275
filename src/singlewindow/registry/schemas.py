"""Response models of the registry routes."""

from __future__ import annotations

from pydantic import BaseModel

from singlewindow.registry.domain import CreditClass, Enterprise, ImportReport, Role


class ImportReportOut(BaseModel):
    enterprises: int
    commodities: int
    persons: int
    certificates: int

    @classmethod
    def of(cls, report: ImportReport) -> ImportReportOut:
        return cls(
            enterprises=report.enterprises,
            commodities=report.commodities,
            persons=report.persons,
            certificates=report.certificates,
        )


class EnterpriseOut(BaseModel):
    code: str
    name: str
    roles: list[Role]
    credit_class: CreditClass
    county: str | None
    park: str | None
    certificate_fingerprints: list[str]

    @classmethod
    def of(cls, enterprise: Enterprise) -> EnterpriseOut:
        return cls(
            code=enterprise.code,
            name=enterprise.name,
            roles=sorted(enterprise.roles),
            credit_class=enterprise.credit_class,
            county=enterprise.county,
            park=enterprise.park,
            certificate_fingerprints=sorted(enterprise.certificate_fingerprints),
        )
