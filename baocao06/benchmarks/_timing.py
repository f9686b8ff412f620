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
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"min": min(times), "median": statistics.median(times), "max": max(times), "p95": p95, "runs": repeat}


def fmt(result: dict) -> str:
    low, mid, high = (result[k] * 1000 for k in ("min", "median", "max"))
    return f"median {mid:9.1f} ms  (min {low:.1f}, max {high:.1f}, n={result['runs']})"
