"""How much work each measurement does: full and `--quick` sizes, one place to tune."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Sizes:
    """Counts cap each loop; `budget_s` caps its time, whichever comes first."""

    threads: int = 3000  # thread creates per concurrency level
    waits_seq: int = 200  # sequential runs.wait (the official one manages ~20 in the budget)
    waits_conc: int = 1000  # runs.wait at concurrency 32
    events: int = 2000  # custom events in one stream
    tokens: int = 2000  # words the fake chat model streams (plus the spaces between)
    repeats: int = 3  # streams per event/token measurement; the median is reported
    streams: int = 1000  # concurrent streaming runs (and runs.wait) on as many threads
    checkpoints: int = 1000  # checkpoints on the state/history thread
    reads: int = 50  # get_state and get_history calls
    memory_threads: int = 10_000  # threads created before the second RSS reading
    budget_s: float = 20.0  # time cap of any one loop
    server_budget_s: float = 8.0  # time cap of each loop in the ASGI-server comparison


FULL = Sizes()
QUICK = Sizes(
    threads=100,
    waits_seq=10,
    waits_conc=64,
    events=200,
    tokens=200,
    repeats=1,
    streams=20,
    checkpoints=100,
    reads=5,
    memory_threads=300,
    budget_s=5.0,
    server_budget_s=3.0,
)


def with_streams(sizes: Sizes, streams: int | None) -> Sizes:
    """`sizes` with the concurrent-stream count from `--streams`, if given."""
    return sizes if streams is None else replace(sizes, streams=streams)
