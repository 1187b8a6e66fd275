"""Commands of the clearance path: submit, inventory show, inspection, sweep."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import httpx
import typer

from singlewindow.db.session import make_sessionmaker, unit_of_work
from singlewindow.kit.errors import DomainError
from singlewindow.release import receipts_xml, service, views, withdrawal
from singlewindow.release.context import build_context
from singlewindow.release.domain import ReceiptView
from singlewindow.release.runtime import open_database

app = typer.Typer(help="Declarations and clearance (报文申报、三单比对、清单核放).")
inventory_app = typer.Typer(help="Inventory lists (申报清单).")


def _print_receipts(rows: list[dict[str, object]], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        key = r.get("invtNo") or r.get("orderNo") or r.get("logisticsNo") or r.get("guid")
        listed = r.get("reasons")
        reasons = ",".join(str(x) for x in listed) if isinstance(listed, list) else ""
        typer.echo(f"{r['message_type']} {key} {r['returnStatus']} {reasons}".rstrip())


def submit(
    files: Annotated[list[Path], typer.Argument(help="CEB XML files", exists=True, dir_okay=False)],
    server: Annotated[str | None, typer.Option(help="Submit over HTTP to this platform")] = None,
    api_key: Annotated[str | None, typer.Option(envvar="SINGLEWINDOW_API_KEY")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print receipts as JSON")] = False,
) -> None:
    """Submit CEB messages; prints one receipt per business record, whatever the verdicts."""
    payloads = [f.read_bytes() for f in files]
    if server:
        if not api_key:
            typer.echo("--api-key (or SINGLEWINDOW_API_KEY) is needed with --server", err=True)
            raise typer.Exit(2)
        response = httpx.post(
            server.rstrip("/") + "/messages/batch",
            json={"messages": [p.decode("utf-8", errors="replace") for p in payloads]},
            headers={"X-API-Key": api_key},
            timeout=120,
        )
        if response.status_code != 200:
            typer.echo(f"server answered {response.status_code}: {response.text}", err=True)
            raise typer.Exit(1)
        rows = response.json()["receipts"]
    else:
        engine = open_database()
        factory = make_sessionmaker(engine)
        with unit_of_work(factory) as session:
            ctx = build_context(session)
        receipts: list[ReceiptView] = service.submit_with_retry(factory, ctx, payloads, actor="cli")
        rows = [r.as_dict() for r in receipts]
    _print_receipts(rows, as_json)


def sweep() -> None:
    """Refuse inventories that waited for their documents past the deadline."""
    engine = open_database()
    with unit_of_work(make_sessionmaker(engine)) as session:
        count = withdrawal.sweep(session, build_context(session))
    typer.echo(f"refused {count} inventories waiting past the deadline")


@inventory_app.command("show")
def inventory_show(
    invt_no: Annotated[str | None, typer.Option("--invt-no")] = None,
    order_no: Annotated[str | None, typer.Option("--order-no")] = None,
    ebp_code: Annotated[str | None, typer.Option("--ebp-code")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One inventory with its status history and tax, whatever its status."""
    if not invt_no and not (order_no and ebp_code):
        typer.echo("give --invt-no, or --order-no with --ebp-code", err=True)
        raise typer.Exit(2)
    engine = open_database()
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            view = views.get_inventory(
                session, None, invt_no=invt_no, order_no=order_no, ebp_code=ebp_code
            )
    except DomainError as exc:
        typer.echo(exc.summary(), err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"{view['invtNo']} {view['orderNo']} {view['ebpCode']} {view['returnStatus']}")
        for h in view["history"]:
            typer.echo(f"  {h['time']} {h['returnStatus']} {h['actor']} {','.join(h['reasons'])}")


def receipts(
    message_guid: Annotated[str, typer.Argument(help="guid of the declared message")],
    xml: Annotated[bool, typer.Option("--xml", help="The standard's receipt XML")] = False,
) -> None:
    """Every receipt issued for a message: its first answers and later status changes."""
    engine = open_database()
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            rows = service.receipts_for(session, message_guid, None)
            heads = service.declared_heads(session, message_guid) if xml else {}
    except DomainError as exc:
        typer.echo(exc.summary(), err=True)
        raise typer.Exit(1) from None
    if xml:
        typer.echo(receipts_xml.render(rows, heads).decode("utf-8"))
    else:
        _print_receipts([r.as_dict() for r in rows], as_json=True)


def register(root: typer.Typer) -> None:
    root.command("submit")(submit)
    root.command("sweep")(sweep)
    root.command("receipts")(receipts)
    root.add_typer(inventory_app, name="inventory")
