"""Bounded loops and percentiles: every measurement stops at a count or a time budget."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN on no samples rather than a fake zero."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[rank]


@dataclass(frozen=True)
class Loop:
    """What a bounded loop did: how many calls finished, in how long, with what latencies."""

    done: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else math.nan


async def bounded(
    call: Callable[[int], Awaitable[object]], count: int, budget_s: float, concurrency: int = 1
) -> Loop:
    """Run `call(worker)` up to `count` times over `concurrency` workers, for at most `budget_s`.

    Workers stop taking new calls once the budget is spent, so a slow server yields fewer
    samples instead of an unbounded run; an exception counts as an error, not a crash.
    """
    start = time.perf_counter()
    deadline = start + budget_s
    latencies: list[float] = []
    errors = 0
    remaining = count

    async def worker(index: int) -> None:
        nonlocal remaining, errors
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            began = time.perf_counter()
            try:
                await call(index)
            except Exception:
                errors += 1
                continue
            latencies.append(time.perf_counter() - began)

    await asyncio.gather(*(worker(index) for index in range(concurrency)))
    return Loop(len(latencies), errors, time.perf_counter() - start, latencies)
