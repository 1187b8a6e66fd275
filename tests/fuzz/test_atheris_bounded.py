"""A bounded coverage-guided campaign in CI: the same atheris target as `bench/fuzz_border.py`
(which runs 1,000,000 inputs), here 5,000, in a subprocess because libFuzzer exits the process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CAMPAIGN = Path(__file__).resolve().parents[2] / "bench" / "fuzz_border.py"


def test_bounded_atheris_campaign_over_check_finds_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(CAMPAIGN), "--runs", "5000"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    output = done.stdout + done.stderr
    # libFuzzer exits non-zero and prints a crash report when the target raises anything but
    # the border's coded refusals.
    assert done.returncode == 0, output[-3000:]
    assert "Done 5000 runs" in output
    assert "ERROR: libFuzzer" not in output
