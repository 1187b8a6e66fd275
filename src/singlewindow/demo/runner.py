"""`make demo`: a synthetic Xuchang zone files once, then a month of signed parcels is replayed
through the real HTTP API on a fresh SQLite database, and what happened is printed.

The platform's clock is injected: before each window of messages it is set to the time the
last of them was sent, so waits, deadlines and the year of the quota follow the replayed month.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from singlewindow.api.app import create_app
from singlewindow.auth import service as auth_service
from singlewindow.auth.domain import AgencyRole
from singlewindow.db.migrate import engine_for_command
from singlewindow.db.session import make_sessionmaker, unit_of_work
from singlewindow.declaration.tables import InventoryRow, TransitionRow
from singlewindow.demo.plan import Defect, MonthPlan, ParcelPlan, PlanLine
from singlewindow.demo.pricing import TaxFunction
from singlewindow.demo.summaries import SellerSummary, summarise_month
from singlewindow.demo.traffic import DemoMessage, iter_messages, message_count, plan_month
from singlewindow.demo.zone import Zone, build_zone, zone_registry_lines
from singlewindow.kit.clock import CST, FixedClock
from singlewindow.kit.collector import settle_after_start
from singlewindow.kit.money import Fen, format_yuan
from singlewindow.message.signing import Signer, load_signer, sign_document
from singlewindow.registry import service as registry_service
from singlewindow.release.context import load_reference_data
from singlewindow.tax import rules as tax_rules
from singlewindow.tax.domain import RateTable, TaxableLine
from singlewindow.tax.tables import TaxBillRow

WINDOW = 400  # messages per replay window (one clock setting)
BATCH = 100  # messages per HTTP request


@dataclass
class DemoKeys:
    signers: dict[str, Signer]
    certificates: dict[str, list[str]]


def make_keys(zone: Zone, now: datetime) -> DemoKeys:
    """An RSA key and a self-signed certificate per enterprise (the demo's stand-in for the
    certificates the China E-Port issues)."""
    signers: dict[str, Signer] = {}
    certificates: dict[str, list[str]] = {}
    for enterprise in zone.enterprises:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, enterprise.code)])
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=400))
            .not_valid_after(now + timedelta(days=400))
            .sign(key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        cert_pem = cert.public_bytes(serialization.Encoding.PEM)
        signers[enterprise.code] = load_signer(key_pem, cert_pem)
        certificates[enterprise.code] = [cert_pem.decode()]
    return DemoKeys(signers, certificates)


def tax_adapter(rates: RateTable) -> TaxFunction:
    """The platforms withhold the tax the platform's own rules compute."""

    def withhold(lines: Sequence[PlanLine], freight: Decimal, insured_fee: Decimal) -> Fen:
        taxable = [
            TaxableLine(
                gnum=line.gnum,
                hs_code=line.commodity.hs_code,
                total_price=line.total_price,
                qty=Decimal(line.qty),
                qty1=Decimal(line.qty) * Decimal(line.commodity.good.qty1_per_unit),
                unit1=line.commodity.good.unit1,
                name=line.commodity.name,
            )
            for line in lines
        ]
        assessment = tax_rules.assess_import_tax(
            taxable, freight=freight, insured_fee=insured_fee, buyer_used_fen=0, rates=rates
        )
        return assessment.total_fen

    return withhold


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The platform's HTTP server in a background thread of this process."""

    def __init__(self, url: str, clock: FixedClock, host: str, port: int) -> None:
        app = create_app(database_url=url, clock=clock, background_checkpoint=True)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.address = f"http://{host}:{port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the platform did not start within 30 s")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def previous_month(now: datetime) -> tuple[int, int]:
    local = now.astimezone(CST)
    return (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)


def _windows(messages: Sequence[DemoMessage]) -> Iterator[Sequence[DemoMessage]]:
    for start in range(0, len(messages), WINDOW):
        yield messages[start : start + WINDOW]


def _requests(window: Sequence[DemoMessage]) -> list[tuple[str, list[str]]]:
    """Each request carries one sender's messages (an API key may only send its own)."""
    by_sender: dict[str, list[str]] = {}
    for m in window:
        by_sender.setdefault(m.cop_code, []).append(m.data.decode("utf-8"))
    out: list[tuple[str, list[str]]] = []
    for cop, docs in by_sender.items():
        for start in range(0, len(docs), BATCH):
            out.append((cop, docs[start : start + BATCH]))
    return out


def run_demo(
    *,
    database: Path,
    import_parcels: int,
    export_parcels: int,
    serve: bool,
    host: str = "127.0.0.1",
    port: int | None = None,
    console: Console | None = None,
) -> int:
    console = console or Console(width=120)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    engine = engine_for_command(url, loaders=[load_reference_data])
    factory = make_sessionmaker(engine)
    real_now = datetime.now(CST)
    year, month = previous_month(real_now)
    zone = build_zone()
    console.print(
        f"[bold]singlewindow demo[/]: Xuchang zone, replaying {year}-{month:02d} on {database}"
    )
    keys = make_keys(zone, real_now)
    with unit_of_work(factory) as session:
        report = registry_service.import_records(
            session, zone_registry_lines(zone, certificates=keys.certificates)
        )
        api_keys = {
            e.code: auth_service.add_user(session, AgencyRole.ENTERPRISE, e.name, e.code)[1]
            for e in zone.enterprises
        }
        admin_key = auth_service.add_user(session, AgencyRole.ZONE_ADMIN, "演示管理员", None)[1]
        customs_key = auth_service.add_user(session, AgencyRole.CUSTOMS, "许昌海关演示", None)[1]
        rates = tax_rules.load_default_rates()
    console.print(
        f"filed once: {report.enterprises} enterprises, {report.commodities} commodities, "
        f"{report.persons} persons, {report.certificates} certificates"
    )
    plan = plan_month(
        zone,
        year=year,
        month=month,
        import_parcels=import_parcels,
        export_parcels=export_parcels,
        tax=tax_adapter(rates),
    )
    messages = list(_signed_messages(zone, plan, keys, console))
    clock = FixedClock(messages[0].when)
    server = Server(url, clock, host, port or _free_port())
    with server:
        settle_after_start()  # as `singlewindow serve` does, now that the month is signed
        console.print(f"platform up at {server.address} (OpenAPI at {server.address}/docs)")
        elapsed, refused_http = _replay(server.address, messages, api_keys, clock, console)
        # The month is over: two days later, waits past the 24-hour deadline become refusals.
        end = datetime(year + month // 12, month % 12 + 1, 2, tzinfo=CST)
        clock.now = end
        swept = httpx.post(
            f"{server.address}/sweep", headers={"X-API-Key": admin_key}, timeout=120
        ).json()["refused"]
        _report(factory, plan, len(messages), elapsed, swept, refused_http, console)
        sellers = sorted({p.ebc_code for p in plan.parcels if p.direction == "E"})
        with httpx.Client(base_url=server.address, timeout=300) as client:
            summaries = summarise_month(
                client,
                zone,
                sellers,
                year=year,
                month=month,
                now=end,
                signers=keys.signers,
                api_keys=api_keys,
            )
        _report_summaries(summaries, year, month, console)
        if serve:
            console.print(
                f"\n[bold]serving[/] at {server.address} — zone admin key: {admin_key}"
                f"\ncustoms key: {customs_key}\n(Ctrl-C to stop)"
            )
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
    return 0


def _signed_messages(
    zone: Zone, plan: MonthPlan, keys: DemoKeys, console: Console
) -> Iterator[DemoMessage]:
    total = message_count(plan)
    with _progress(console) as progress:
        task = progress.add_task("signing messages (RSA-SHA1)", total=total)
        for m in iter_messages(zone, plan, sign=lambda d, c: sign_document(d, keys.signers[c])):
            progress.advance(task)
            yield m


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _replay(
    address: str,
    messages: Sequence[DemoMessage],
    api_keys: dict[str, str],
    clock: FixedClock,
    console: Console,
) -> tuple[float, int]:
    failures = 0
    started = time.perf_counter()
    with httpx.Client(base_url=address, timeout=300) as client, _progress(console) as progress:
        task = progress.add_task("replaying through the HTTP API", total=len(messages))
        for window in _windows(messages):
            clock.now = window[-1].when
            for cop, docs in _requests(window):
                response = client.post(
                    "/messages/batch", json={"messages": docs}, headers={"X-API-Key": api_keys[cop]}
                )
                if response.status_code != 200:
                    failures += len(docs)
                progress.advance(task, len(docs))
    return time.perf_counter() - started, failures


def _report(
    factory: sessionmaker[Session],
    plan: MonthPlan,
    n_messages: int,
    elapsed: float,
    swept: int,
    refused_http: int,
    console: Console,
) -> None:
    with unit_of_work(factory) as session:
        rows = session.execute(
            select(InventoryRow.direction, InventoryRow.status, func.count()).group_by(
                InventoryRow.direction, InventoryRow.status
            )
        ).all()
        inspected = (
            session.scalar(
                select(func.count())
                .select_from(TransitionRow)
                .where(TransitionRow.to_status == "500")
            )
            or 0
        )
        tax = session.execute(
            select(func.coalesce(func.sum(TaxBillRow.total_fen), 0), func.count()).where(
                TaxBillRow.status == "1"
            )
        ).one()
        refusals = Counter[str]()
        for (reasons,) in session.execute(
            select(TransitionRow.reasons).where(TransitionRow.to_status == "100")
        ):
            for r in reasons:
                refusals[r] += 1
        by_order = {
            (i.ebp_code, i.order_no): (i.status, i.id)
            for i in session.scalars(select(InventoryRow))
        }
    names = {
        "120": "waiting",
        "100": "refused",
        "399": "concluded, awaiting arrival",
        "500": "inspection",
        "800": "released",
        "899": "closed (departed)",
    }
    table = Table(title=f"Clearance of {plan.year}-{plan.month:02d}")
    table.add_column("direction")
    table.add_column("status")
    table.add_column("inventories", justify="right")
    for direction, status, count in sorted(rows):
        table.add_row(
            "import" if direction == "I" else "export",
            f"{status} {names.get(status, '')}",
            str(count),
        )
    console.print(table)
    console.print(f"selected for inspection: {inspected}; refused after the 24 h wait: {swept}")
    console.print(f"import tax collected: {format_yuan(int(tax[0]))} CNY on {tax[1]} tax bills")
    by_reason = Table(title="Refusals by reason")
    by_reason.add_column("reason")
    by_reason.add_column("count", justify="right")
    for code, count in refusals.most_common():
        by_reason.add_row(code, str(count))
    console.print(by_reason)
    expected = _expected_vs_actual(plan.parcels, by_order)
    check = Table(title="Planted defects: expected outcome vs the platform's")
    for col in ("defect", "parcels", "as expected"):
        check.add_column(col)
    for defect, (total, matched) in sorted(expected.items()):
        check.add_row(defect, str(total), str(matched))
    console.print(check)
    console.print(
        f"{n_messages} signed messages in {elapsed:.1f} s: {n_messages / elapsed:.0f} messages/s"
        f" through HTTP ({refused_http} in failed requests)"
    )


def _report_summaries(
    summaries: Sequence[SellerSummary], year: int, month: int, console: Console
) -> None:
    table = Table(title=f"Summary declarations (汇总申报) of {year}-{month:02d}, asked on the 2nd")
    for col in ("seller", "sumNo", "receipt", "declarations", "lines", "inventories", "left out"):
        table.add_column(col)
    for s in summaries:
        table.add_row(
            f"{s.ebc_name}",
            s.sum_no or "-",
            s.status + (f" {','.join(s.reasons)}" if s.reasons else ""),
            str(s.declarations),
            str(s.lines),
            str(s.inventories),
            str(s.left_out),
        )
    console.print(table)
    console.print(
        f"{sum(s.declarations for s in summaries)} declarations formed from "
        f"{sum(s.inventories for s in summaries)} closed export inventories"
    )


def _expected_vs_actual(
    parcels: Sequence[ParcelPlan], by_order: dict[tuple[str, str], tuple[str, int]]
) -> dict[str, tuple[int, int]]:
    outcome = {"released": {"800", "899", "500"}, "refused": {"100"}, "waiting": {"120", "100"}}
    counts: dict[str, tuple[int, int]] = {}
    for p in parcels:
        status = by_order.get((p.ebp_code, p.order_no), ("", 0))[0]
        want = p.expected[0]
        ok = status in outcome.get(want, set())
        if p.defect is Defect.NONE and p.direction == "E":
            ok = status in {"899", "800", "500"}
        total, matched = counts.get(p.defect.value, (0, 0))
        counts[p.defect.value] = (total + 1, matched + int(ok))
    return counts
