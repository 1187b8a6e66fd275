"""Python's cyclic garbage collector, set for a long-running server or worker.

Clearing a batch allocates hundreds of thousands of short-lived objects (decoded records, rows,
receipts). With the interpreter's defaults the collector ran about ten times per request and
now and then scanned the whole heap (modules, compiled schemas, code tables: objects that live
as long as the process) for a pause of up to a quarter of a second: about a tenth of the CPU and
most of the tail latency, measured in process (bench/README.md). So once the process has
started, what start-up built is frozen (never scanned again), and the youngest generation is
collected after 50,000 allocations instead of 700. Reference cycles are still collected; only
less often.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000


def settle_after_start() -> None:
    gc.collect()  # start-up's own garbage first, so it is not frozen
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
