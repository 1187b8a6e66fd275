"""The harness of the clearance tests: signing keys, a filed zone, and a `Platform` that submits
messages through the clearance service on a fresh database."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.release.builders import NAMES, NOW, ROLES, Doc, registry_lines

from singlewindow.auth import service as auth
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.session import unit_of_work
from singlewindow.declaration.codes import load_code_tables
from singlewindow.declaration.tables import (
    DocumentRow,
    InventoryRow,
    MessageRow,
    ReceiptRow,
    TransitionRow,
)
from singlewindow.kit.clock import FixedClock
from singlewindow.message.signing import Signer, load_signer, sign_document
from singlewindow.registry import service as registry
from singlewindow.release import service, withdrawal
from singlewindow.release.context import ClearanceContext, load_reference_data
from singlewindow.release.domain import ReceiptView
from singlewindow.risk.domain import RiskConfig
from singlewindow.tax import service as tax_service
from singlewindow.tax.rules import load_default_rates
from singlewindow.tax.tables import QuotaUsageRow, TaxBillRow


@dataclass(frozen=True)
class Keys:
    """A signer and filed certificate per enterprise, and a rogue certificate nobody filed."""

    signers: dict[str, Signer]
    certificates: dict[str, str]
    rogue: Signer

    def sign(self, doc: Doc, *, signer: Signer | None = None) -> bytes:
        return sign_document(doc.render(), signer or self.signers[doc.sender])


def _rsa(cn: str) -> tuple[Signer, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=400))
        .not_valid_after(NOW + timedelta(days=400))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    return load_signer(key_pem, cert_pem), cert_pem.decode("ascii")


@functools.cache
def make_keys() -> Keys:
    """An RSA 2048 key per filed enterprise, and a rogue one: slow, so made once per process."""
    made = {code: _rsa(code) for code in ROLES}
    rogue, _ = _rsa("rogue")
    return Keys({c: s for c, (s, _) in made.items()}, {c: p for c, (_, p) in made.items()}, rogue)


# Inspection is drawn at random by credit class; the tests choose: never, or always.
NEVER = RiskConfig(seed="tests", rates_by_credit_class={"regular": Decimal(0)})
ALWAYS = RiskConfig(seed="tests", rates_by_credit_class={"regular": Decimal(1)})


COUNTED = {
    "messages": MessageRow,
    "documents": DocumentRow,
    "inventories": InventoryRow,
    "transitions": TransitionRow,
    "receipts": ReceiptRow,
    "tax_bills": TaxBillRow,
    "quota_rows": QuotaUsageRow,
}


@dataclass
class Platform:
    """The clearance service over one fresh database, with the zone filed."""

    factory: sessionmaker[Session]
    ctx: ClearanceContext
    keys: Keys
    clock: FixedClock

    def submit(self, *payloads: bytes, submitter: str | None = None) -> list[ReceiptView]:
        with unit_of_work(self.factory) as session:
            return service.submit_messages(session, self.ctx, list(payloads), submitter=submitter)

    def send(self, *docs: Doc, submitter: str | None = None) -> list[ReceiptView]:
        """Each document signed by its sender, all in one batch."""
        return self.submit(*(self.keys.sign(d) for d in docs), submitter=submitter)

    def send_each(self, docs: Sequence[Doc]) -> list[list[ReceiptView]]:
        """Each document in its own call (its own transaction), in the order given."""
        return [self.send(d) for d in docs]

    def inventory(self, order_no: str) -> InventoryRow:
        with self.factory() as session:
            row = session.scalars(
                select(InventoryRow).where(InventoryRow.order_no == order_no)
            ).one()
            session.expunge(row)
            return row

    def status(self, order_no: str) -> str:
        return self.inventory(order_no).status

    def history(self, order_no: str) -> list[tuple[str, str, tuple[str, ...]]]:
        inventory = self.inventory(order_no)
        with self.factory() as session:
            rows = session.scalars(
                select(TransitionRow)
                .where(TransitionRow.inventory_id == inventory.id)
                .order_by(TransitionRow.id)
            )
            return [(t.from_status, t.to_status, tuple(t.reasons)) for t in rows]

    def counts(self) -> dict[str, int]:
        with self.factory() as session:
            return {
                name: session.scalar(select(func.count()).select_from(table)) or 0
                for name, table in COUNTED.items()
            }

    def quota(self, buyer: str, year: int) -> int:
        with self.factory() as session:
            return tax_service.quota_used(session, buyer, year)

    def set_quota(self, buyer: str, year: int, used_fen: int) -> None:
        with unit_of_work(self.factory) as session:
            session.add(QuotaUsageRow(buyer_id_number=buyer, year=year, used_fen=used_fen))

    def sweep(self) -> int:
        with unit_of_work(self.factory) as session:
            return withdrawal.sweep(session, self.ctx)

    def inspect(self, invt_no: str, *, passed: bool) -> ReceiptView:
        with unit_of_work(self.factory) as session:
            return withdrawal.record_inspection(
                session, self.ctx, invt_no, passed=passed, actor="customs:tests"
            )

    def inspecting(self, on: bool = True) -> None:
        self.ctx = dataclasses.replace(self.ctx, risk=ALWAYS if on else NEVER)


def new_platform(factory: sessionmaker[Session], keys: Keys, *, filed: bool = False) -> Platform:
    """The zone filed (enterprises with their certificates, default rates) on a fresh database;
    the platform's clock stands at NOW and nothing is selected for inspection."""
    if not filed:
        file_zone(factory, keys)
    clock = FixedClock(NOW)
    ctx = ClearanceContext(
        codes=load_code_tables(), rates=load_default_rates(), risk=NEVER, clock=clock
    )
    return Platform(factory, ctx, keys, clock)


def file_zone(factory: sessionmaker[Session], keys: Keys) -> None:
    with unit_of_work(factory) as session:
        registry.import_records(session, registry_lines(keys.certificates))
        load_reference_data(session)


def statuses(receipts: Sequence[ReceiptView]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(message type, returnStatus, reasons) of each receipt, in order."""
    return [(r.message_type, r.return_status, r.reasons) for r in receipts]


@dataclass(frozen=True)
class HttpZone:
    """The zone filed over HTTP: API keys by enterprise code and by agency role."""

    enterprise_keys: dict[str, str]
    agency_keys: dict[AgencyRole, str]

    def of(self, who: str | AgencyRole) -> dict[str, str]:
        key = self.agency_keys[who] if isinstance(who, AgencyRole) else self.enterprise_keys[who]
        return {"X-API-Key": key}


AGENCIES = (
    AgencyRole.ZONE_ADMIN,
    AgencyRole.CUSTOMS,
    AgencyRole.TAX,
    AgencyRole.PUBLIC_SECURITY,
    AgencyRole.STATISTICS,
)


def file_zone_over_http(client: TestClient, factory: sessionmaker[Session], keys: Keys) -> HttpZone:
    """The zone administrator files the zone (POST /registry/import); every enterprise and
    agency gets a key; the default rates are loaded (the app does it only on SQLite)."""
    with unit_of_work(factory) as session:
        agency_keys = {role: auth.add_user(session, role, role.value, None)[1] for role in AGENCIES}
        load_reference_data(session)
    response = client.post(
        "/registry/import",
        content="\n".join(registry_lines(keys.certificates)).encode(),
        headers={
            "X-API-Key": agency_keys[AgencyRole.ZONE_ADMIN],
            "Content-Type": "application/x-ndjson",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "enterprises": len(ROLES),
        "commodities": 0,
        "persons": 0,
        "certificates": len(ROLES),
    }
    with unit_of_work(factory) as session:
        enterprise_keys = {
            code: auth.add_user(session, AgencyRole.ENTERPRISE, NAMES[code], code)[1]
            for code in ROLES
        }
    return HttpZone(enterprise_keys, agency_keys)
