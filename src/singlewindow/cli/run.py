"""Running the platform: `serve` and the demo's main job."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Server processes (PostgreSQL scales with them)")
    ] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) on the configured database."""
    import uvicorn

    from singlewindow.api.app import serving_app
    from singlewindow.kit.admission import PROCESSES_ENV

    typer.echo(f"singlewindow serving at http://{host}:{port} (OpenAPI at /docs)")
    if workers > 1:
        # The server processes inherit it: clearance answers then close their connections, so
        # each request goes to a free process (kit.admission).
        os.environ[PROCESSES_ENV] = str(workers)
        uvicorn.run(
            "singlewindow.api.app:serving_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
    else:
        uvicorn.run(serving_app(), host=host, port=port, log_level="warning")


def demo(
    serve: Annotated[bool, typer.Option("--serve", help="Keep the platform up afterwards")] = False,
    parcels: Annotated[int, typer.Option(help="Parcels to replay (60 % import)")] = 10_000,
    database: Annotated[Path, typer.Option(help="SQLite file, made anew")] = Path(
        "singlewindow.db"
    ),
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (default: a free one)")] = None,
) -> None:
    """The main job: file a synthetic Xuchang zone and replay a month of signed parcels through
    the HTTP API, then print what happened."""
    from singlewindow.demo.runner import run_demo

    imports = parcels * 6 // 10
    raise typer.Exit(
        run_demo(
            database=database,
            import_parcels=imports,
            export_parcels=parcels - imports,
            serve=serve,
            host=host,
            port=port,
        )
    )
