"""What the clearance path needs besides the database: tables, rates, config, ports, clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from singlewindow.declaration.codes import load_code_tables
from singlewindow.declaration.rules import CodeTables
from singlewindow.kit.clock import Clock, system_clock
from singlewindow.registry.identity import IdentityChecker, LocalCheckDigitIdentity
from singlewindow.risk.domain import RiskConfig
from singlewindow.risk.rules import default_risk_config
from singlewindow.tax import service as tax_service
from singlewindow.tax.domain import RateTable


@dataclass
class ClearanceContext:
    codes: CodeTables
    rates: RateTable
    risk: RiskConfig
    identity: IdentityChecker = field(default_factory=LocalCheckDigitIdentity)
    clock: Clock = system_clock
    # A wait for missing documents older than this (from the first document's arrival on the
    # platform's clock) becomes a refusal (clearance issue §3).
    wait_deadline: timedelta = timedelta(hours=24)
    # Returns within this many days of release give the yearly quota back (194号, SPEC §6).
    return_window: timedelta = timedelta(days=30)


def load_reference_data(session: Session) -> None:
    """Idempotent: the default tax rates go in when the table is empty."""
    tax_service.load_default_rates_into(session)


def build_context(session: Session, *, clock: Clock | None = None) -> ClearanceContext:
    return ClearanceContext(
        codes=load_code_tables(),
        rates=tax_service.rate_table(session),
        risk=default_risk_config(),
        clock=clock or system_clock,
    )
