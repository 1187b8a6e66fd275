"""The soak's sampling (cleared messages above a watermark, CPU, database size, queue depths,
the samples file) and its summary statistics and plot."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import Engine, text

from singlewindow.queue.topology import Topology

MIB = 1024 * 1024


# -- sampling -------------------------------------------------------------------------------
class ClearedCounter:
    """Initial receipts committed so far, counting only rows above a watermark (see soak.py)."""

    def __init__(self) -> None:
        self.final = 0  # initial receipts with id <= low
        self.low = 0
        self.seen = 0  # highest id seen at the previous sample

    def total(self, engine: Engine) -> int:
        with engine.connect() as conn:
            settled, above, top = conn.execute(
                text(
                    "SELECT count(*) FILTER (WHERE initial AND id <= :seen), "
                    "count(*) FILTER (WHERE initial), max(id) FROM receipts WHERE id > :low"
                ),
                {"low": self.low, "seen": self.seen},
            ).one()
        now = self.final + int(above)
        self.final += int(settled)
        self.low = self.seen
        self.seen = max(self.seen, int(top or 0))
        return now


def db_size(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


@dataclass
class Broker:
    """The sampler's own connection: queue depths and the receipt purge."""

    channel: Any
    topology: Topology
    receipt_queues: list[str]

    def depth(self, queue: str) -> int:
        return int(self.channel.queue_declare(queue, durable=True).method.message_count)

    def purge_receipts(self) -> int:
        return sum(
            int(self.channel.queue_purge(q).method.message_count) for q in self.receipt_queues
        )


def cpu_seconds(procs: Sequence[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def per_message_ms(seconds: float, messages: int) -> float | None:
    return round(1000 * seconds / messages, 3) if messages else None


def find_postmaster(engine: Engine) -> psutil.Process:
    """The cluster's postmaster: first line of postmaster.pid in its data directory."""
    with engine.connect() as conn:
        data = conn.execute(text("SHOW data_directory")).scalar_one()
    return psutil.Process(int((Path(data) / "postmaster.pid").read_text().split()[0]))


def pg_cpu_seconds(postmaster: psutil.Process) -> float:
    """CPU seconds of the postmaster, its live backends and the ones that have exited."""
    t = postmaster.cpu_times()
    return (
        t.user + t.system + t.children_user + t.children_system + cpu_seconds(postmaster.children())
    )


def seq_reads(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT relname, seq_tup_read FROM pg_stat_user_tables")).all()
    return {str(name): int(n) for name, n in rows}


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """A JSON array, one sample per line, replaced atomically."""
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text("[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n")
    tmp.replace(path)


# -- summary and plot -----------------------------------------------------------------------
def _fifth(rows: Sequence[dict[str, Any]], first: bool) -> list[dict[str, Any]]:
    """The samples ending in the first fifth of the run, or starting in the last fifth."""
    end = rows[-1]["minutes"]
    if first:
        return [r for r in rows if r["minutes"] <= end / 5 + 1e-9] or list(rows[:1])
    part = [r for r in rows if r["minutes"] - r["seconds"] / 60 >= end * 4 / 5 - 1e-9]
    return part or list(rows[-1:])


def _rate(part: Sequence[dict[str, Any]]) -> float:
    return sum(r["cleared"] for r in part) / sum(r["seconds"] for r in part)


def cpu_ms_per_message(part: Sequence[dict[str, Any]]) -> float:
    """Workers' and PostgreSQL's CPU milliseconds per message cleared over the samples."""
    ms = sum(
        (r["cpu_ms_per_msg"]["workers"] or 0) * r["cleared"]
        + (r["cpu_ms_per_msg"]["postgres"] or 0) * r["cleared"]
        for r in part
    )
    n = sum(r["cleared"] for r in part)
    return round(ms / n, 3) if n else 0.0


def summarise(rows: list[dict[str, Any]], facts: dict[str, Any], warmup: float) -> dict[str, Any]:
    after = next((r for r in rows if r["minutes"] * 60 >= warmup), rows[-1])
    head, tail = _fifth(rows, True), _fifth(rows, False)
    first, last = _rate(head), _rate(tail)
    cpu_first, cpu_last = cpu_ms_per_message(head), cpu_ms_per_message(tail)
    rss_start, rss_end = after["worker_rss_mib"], rows[-1]["worker_rss_mib"]
    return {
        **facts,
        "messages_per_s": round(facts["cleared_in_clock"] / (facts["elapsed_minutes"] * 60), 1),
        "first_fifth_msg_s": round(first, 1),
        "last_fifth_msg_s": round(last, 1),
        "last_over_first": round(last / first, 3) if first else None,
        "cpu_ms_per_msg_first_fifth": cpu_first,
        "cpu_ms_per_msg_last_fifth": cpu_last,
        "cpu_last_over_first": round(cpu_last / cpu_first, 3) if cpu_first else None,
        "rss_after_warmup_minutes": after["minutes"],
        "worker_rss_after_warmup_mib": rss_start,
        "worker_rss_end_mib": rss_end,
        "worker_rss_growth_pct": [
            round(100 * (b - a) / a, 1) for a, b in zip(rss_start, rss_end, strict=True)
        ],
        "producer_cpu_pct_mean": round(sum(r["producer_cpu_pct"] for r in rows) / len(rows), 1),
        "samples_with_empty_intake": sum(1 for r in rows if r["intake_depth"] == 0),
    }


def plot(rows: list[dict[str, Any]], summary: dict[str, Any], path: Path, workers: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [r["minutes"] for r in rows]
    fig, (ax1, ax2, ax3) = plt.subplots(3, 1, figsize=(10, 9), sharex=True)
    fig.suptitle(
        f"Soak: {summary['cleared_in_clock']:,} messages cleared in "
        f"{summary['elapsed_minutes']:g} min, {workers} queue workers, PostgreSQL "
        f"({os.cpu_count()} cores shared)"
    )
    ax1.plot(x, [r["messages_per_s"] for r in rows], marker=".", label="per interval")
    end = x[-1]
    ax1.hlines(
        summary["first_fifth_msg_s"],
        0,
        end / 5,
        colors="tab:green",
        linestyles="--",
        label=f"first fifth mean {summary['first_fifth_msg_s']:,.0f}",
    )
    ax1.hlines(
        summary["last_fifth_msg_s"],
        end * 4 / 5,
        end,
        colors="tab:red",
        linestyles="--",
        label=f"last fifth mean {summary['last_fifth_msg_s']:,.0f}",
    )
    ax1.set_ylabel("throughput (messages/s)")
    ax1.set_ylim(bottom=0)
    cpu = ax1.twinx()
    cpu.plot(
        x,
        [cpu_ms_per_message([r]) for r in rows],
        color="tab:gray",
        linestyle=":",
        marker="x",
        label="CPU per message (workers + PostgreSQL)",
    )
    cpu.set_ylabel("CPU ms per message")
    cpu.set_ylim(bottom=0)
    cpu.legend(loc="lower left")
    ax1.set_title("messages cleared (initial receipts committed) per sample interval")
    ax1.legend(loc="lower right")
    for i in range(workers):
        rss = [r["worker_rss_mib"][i] for r in rows]
        ax2.plot(x, rss, marker=".", label=f"worker {i + 1}: {rss[0]:,.1f} -> {rss[-1]:,.1f} MiB")
    ax2.set_ylabel("resident memory (MiB)")
    ax2.set_ylim(bottom=0)
    ax2.set_title("RSS of each worker process")
    ax2.legend(loc="lower right")
    ax3.plot(x, [r["db_mib"] for r in rows], color="tab:purple", marker=".", label="database")
    ax3.set_ylabel("database size (MiB)")
    ax3.set_xlabel("elapsed (minutes)")
    ax3.set_title("pg_database_size")
    ax3.set_ylim(bottom=0)
    ax3.set_xlim(left=0)
    ax3.legend(loc="lower right")
    for ax in (ax1, ax2, ax3):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
