"""Timing helpers shared by the benchmarks: repeated runs, medians, side-by-side ratios."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def measure(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> dict:
    """Run `fn` warmup + repeat times; return min/median/max seconds of the measured runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"min": min(times), "median": statistics.median(times), "max": max(times), "runs": repeat}


def fmt(result: dict) -> str:
    low, mid, high = (result[k] * 1000 for k in ("min", "median", "max"))
    return f"median {mid:9.1f} ms  (min {low:.1f}, max {high:.1f}, n={result['runs']})"
