"""The app a server process runs: schemas compiled and the garbage collector settled before the
first request (kit.collector), in a process of its own as `singlewindow serve` makes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from singlewindow.kit.collector import YOUNG_THRESHOLD

PROBE = """
import gc, json
from singlewindow.message import schema
before = gc.get_threshold()[0], gc.get_freeze_count(), schema._ALL is not None
from singlewindow.api.app import serving_app
app = serving_app()
after = gc.get_threshold()[0], gc.get_freeze_count(), schema._ALL is not None
print(json.dumps({"before": before, "after": after, "title": app.title}))
"""


def test_serving_app_compiles_schemas_and_settles_the_collector(tmp_path: Path) -> None:
    env = {**os.environ, "SINGLEWINDOW_DATABASE_URL": f"sqlite:///{tmp_path / 'sw.db'}"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before"] == [700, 0, False]
    young, frozen, compiled = seen["after"]
    assert (young, compiled, seen["title"]) == (YOUNG_THRESHOLD, True, "singlewindow")
    assert frozen > 10_000  # the modules, the app and the schemas: never scanned again
