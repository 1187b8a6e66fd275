"""A small filed zone with a month of cleared parcels, made once per test process through the
real clearance path (signed messages from the demo generator → `release.service.submit_messages`),
and one user per persona."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from singlewindow.auth import service as auth_service
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.migrate import ensure_schema
from singlewindow.db.session import make_engine, make_sessionmaker, unit_of_work
from singlewindow.declaration.tables import InventoryRow
from singlewindow.demo.plan import Defect
from singlewindow.demo.runner import make_keys, tax_adapter
from singlewindow.demo.traffic import iter_messages, plan_month
from singlewindow.demo.zone import build_zone, zone_registry_lines
from singlewindow.kit.clock import CST, FixedClock
from singlewindow.message.signing import sign_document
from singlewindow.registry import service as registry_service
from singlewindow.release import service as release_service
from singlewindow.release.context import build_context, load_reference_data
from singlewindow.summary import service as summary_service
from singlewindow.tax.rules import load_default_rates

YEAR, MONTH = 2026, 4
# The console is looked at the day after the replayed month: its 30-day trend covers April.
NOW = datetime(2026, 5, 1, 10, 0, tzinfo=CST)
PERSONAS = ("zone_admin", "customs", "tax", "enterprise", "other_enterprise")


@dataclass(frozen=True)
class ConsoleZone:
    url: str
    keys: dict[str, str]  # persona -> API key
    enterprise_code: str  # the seller the `enterprise` persona belongs to
    own_invt_no: str  # an inventory of that seller
    own_order_no: str
    foreign_invt_no: str  # an inventory that seller is no party to
    refused_invt_no: str | None  # a refused inventory, if numbered (its history has reasons)
    inventory_count: int
    sum_no: str  # the April summary of the export seller with most closed inventories
    summary_ebc_code: str


def build_console_zone(directory: Path) -> ConsoleZone:
    url = f"sqlite:///{directory / 'console.db'}"
    engine = make_engine(url)
    ensure_schema(engine, [load_reference_data])
    factory = make_sessionmaker(engine)
    zone = build_zone(persons=60)
    keys = make_keys(zone, NOW)
    plan = plan_month(
        zone,
        year=YEAR,
        month=MONTH,
        import_parcels=24,
        export_parcels=10,
        defect_rates={Defect.AMOUNT_MISMATCH: 0.09, Defect.CONSIGNEE_MISMATCH: 0.05},
        tax=tax_adapter(load_default_rates()),
    )
    sign = lambda data, cop: sign_document(data, keys.signers[cop])  # noqa: E731
    messages = list(iter_messages(zone, plan, sign=sign))
    with unit_of_work(factory) as session:
        registry_service.import_records(
            session, zone_registry_lines(zone, certificates=keys.certificates)
        )
    clock = FixedClock(messages[0].when)
    with unit_of_work(factory) as session:
        ctx = build_context(session, clock=clock)
    for m in messages:
        clock.now = m.when
        with unit_of_work(factory) as session:
            release_service.submit_messages(
                session, ctx, [m.data], submitter=m.cop_code, actor=f"enterprise:{m.cop_code}"
            )
    with unit_of_work(factory) as session:
        rows = list(session.scalars(select(InventoryRow).order_by(InventoryRow.id)))
        numbered = [r for r in rows if r.invt_no]
        own = next(r for r in numbered if r.direction == "I" and r.status == "800")
        code = own.ebc_code
        parties = lambda r: {r.ebc_code, r.ebp_code, r.agent_code, r.logistics_code}  # noqa: E731
        foreign = next(r for r in numbered if code not in parties(r))
        other_code = foreign.ebc_code
        refused = next((r for r in numbered if r.status == "100"), None)
        closed = Counter(r.ebc_code for r in rows if r.direction == "E" and r.status == "899")
        exporter = closed.most_common(1)[0][0]
        summary = summary_service.run_month(
            session, exporter, f"{YEAR}-{MONTH:02d}", now=NOW, actor="test:console"
        )
        api_keys = {
            "zone_admin": auth_service.add_user(
                session, AgencyRole.ZONE_ADMIN, "综试区管理员", None
            )[1],
            "customs": auth_service.add_user(session, AgencyRole.CUSTOMS, "许昌海关", None)[1],
            "tax": auth_service.add_user(session, AgencyRole.TAX, "许昌税务", None)[1],
            "enterprise": auth_service.add_user(session, AgencyRole.ENTERPRISE, "卖家", code)[1],
            "other_enterprise": auth_service.add_user(
                session, AgencyRole.ENTERPRISE, "另一卖家", other_code
            )[1],
        }
        zone_data = ConsoleZone(
            url=url,
            keys=api_keys,
            enterprise_code=code,
            own_invt_no=own.invt_no or "",
            own_order_no=own.order_no,
            foreign_invt_no=foreign.invt_no or "",
            refused_invt_no=refused.invt_no if refused else None,
            inventory_count=len(rows),
            sum_no=summary.sum_no,
            summary_ebc_code=exporter,
        )
    engine.dispose()
    return zone_data
