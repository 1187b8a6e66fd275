"""`singlewindow worker`: one queue worker on the configured broker and database."""

from __future__ import annotations

import logging
from typing import Annotated

import typer


def worker(
    batch: Annotated[
        int, typer.Option(help="Deliveries cleared together in one transaction")
    ] = 100,
    window: Annotated[float, typer.Option(help="Seconds to wait to fill a batch")] = 0.05,
    idle_exit: Annotated[
        float, typer.Option(help="Exit after this many idle seconds (0: run until SIGTERM)")
    ] = 0.0,
) -> None:
    """Consume the intake queue (SINGLEWINDOW_AMQP_URL) and clear against the database
    (SINGLEWINDOW_DATABASE_URL); receipts go to singlewindow.receipts.<copCode>. SIGTERM stops
    it after the batch in hand."""
    from singlewindow.db.analyze import Analyzer
    from singlewindow.db.session import Checkpointer, make_sessionmaker
    from singlewindow.kit.collector import settle_after_start
    from singlewindow.queue.topology import Topology, amqp_url
    from singlewindow.queue.worker import DatabaseClearer, Worker
    from singlewindow.release.runtime import open_database

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    engine = open_database()
    checkpointer = Checkpointer(engine).start()  # SQLite only
    analyzer = Analyzer(engine).start()  # PostgreSQL only
    topology = Topology.from_env()
    runner = Worker(
        amqp_url(),
        DatabaseClearer(make_sessionmaker(engine)),
        topology=topology,
        batch=batch,
        window=window,
        idle_exit=idle_exit,
    )
    runner.install_signal_handlers()
    settle_after_start()
    typer.echo(f"worker consuming {topology.intake}")
    handled = runner.run()
    analyzer.stop()
    checkpointer.stop()
    engine.dispose()
    typer.echo(f"worker stopped after {handled} deliveries")
