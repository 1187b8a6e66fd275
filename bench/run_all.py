"""Every benchmark in this folder (`bench_*.py`), one after another, with its default settings;
`make bench` calls this. Each runs in its own process, so one's warm caches or pinned core do
not touch the next. Exit status 1 if any of them failed.

    .venv/bin/python bench/run_all.py [--only clearance sign ...] [--skip dashboard ...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="names without bench_ and .py")
    parser.add_argument("--skip", nargs="*", default=[], help="names without bench_ and .py")
    args = parser.parse_args()
    benches = sorted(HERE.glob("bench_*.py"))
    names = {p: p.stem.removeprefix("bench_") for p in benches}
    chosen = [
        p for p in benches if (not args.only or names[p] in args.only) and names[p] not in args.skip
    ]
    results: list[tuple[str, int, float]] = []
    for path in chosen:
        print(f"\n=== {path.name} ===", flush=True)
        began = time.perf_counter()
        code = subprocess.run([sys.executable, str(path)], cwd=HERE.parent, check=False).returncode
        results.append((path.name, code, time.perf_counter() - began))
    print("\n=== summary ===")
    for name, code, took in results:
        print(f"{name:<24} {'ok' if code == 0 else f'FAILED ({code})':<12} {took:7.1f} s")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
