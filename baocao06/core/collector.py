"""Python's cycle collector held off during work that builds millions of short-lived objects.

A national compile parses ~2,900 version summaries (13 MB of JSON) and builds the tables from them:
millions of dicts, lists and strings, nearly all freed by reference counting. The cycle collector,
triggered by the allocations, walks every object alive in the process each time it reaches its oldest
generation, so the same compile took 1.6 s instead of 0.7 s in a process holding two earlier results
(docs/operations.md). `paused()` turns it off for the block and back on after, whatever happens: what
the block leaves in cycles is collected at the next run. Nested and concurrent blocks (threads) count:
the collector comes back on when the last one ends, and only if it was on before the first.
"""

from __future__ import annotations

import contextlib
import gc
import threading

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def paused():
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
