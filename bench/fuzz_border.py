"""Long atheris campaign over the message border's `check()`; prints runs, execs/s and findings.

Usage: python bench/fuzz_border.py [--runs 1000000]
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from singlewindow.message import FormatInvalid, HostileInput, Unparsable, check

_COUNT = [0]
_START = time.perf_counter()


def _target(data: bytes) -> None:
    _COUNT[0] += 1
    with contextlib.suppress(HostileInput, Unparsable, FormatInvalid):
        check(data)


def _report() -> None:
    took = time.perf_counter() - _START
    print(f"runs={_COUNT[0]} seconds={took:.1f} exec_per_s={_COUNT[0] / max(took, 1e-9):.0f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1_000_000)
    args = parser.parse_args()
    # libFuzzer writes new inputs into the corpus folder, so it works on a throwaway copy.
    corpus = Path(tempfile.mkdtemp(prefix="fuzz_border_"))
    for sample in (Path(__file__).parents[1] / "tests" / "data" / "samples").glob("*.xml"):
        shutil.copy(sample, corpus)
    artifacts = Path(__file__).resolve().parents[1] / "build" / "fuzz_border"  # crash- files
    artifacts.mkdir(parents=True, exist_ok=True)
    argv = [sys.argv[0], f"-runs={args.runs}", f"-artifact_prefix={artifacts}/", str(corpus)]
    atheris.Setup(argv, _target)
    try:
        atheris.Fuzz()
    finally:
        _report()
        shutil.rmtree(corpus, ignore_errors=True)


if __name__ == "__main__":
    main()
