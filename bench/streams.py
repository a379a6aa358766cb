"""Streaming workloads: custom events, chat-model tokens, many concurrent streams.

Rates are taken between the first and last event of interest, so they measure the stream
pipe itself; the wait before the first event (queueing, run start-up) is reported apart.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx

from bench import client as api
from bench.wire import Client
from bench.workloads import Figures, new_threads


def rate(times: list[float]) -> float:
    """Events per second between the first and last arrival."""
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return (len(times) - 1) / span if span > 0 else float("nan")


async def _repeated(
    http: httpx.AsyncClient,
    wire: Client,
    graph: str,
    payload: dict,
    mode: str,
    prefix: str,
    repeats: int,
) -> tuple[float, float, int]:
    """Median time-to-first (ms) and rate over `repeats` streams, plus the events per stream."""
    firsts, rates, counts = [], [], []
    for thread in await new_threads(wire, repeats):
        stream = await api.stream_run(http, thread, graph, payload, [mode])
        times = sorted(stream.of(prefix))
        if not times:
            raise RuntimeError(f"{graph} streamed no {prefix} events")
        firsts.append((times[0] - stream.started) * 1000)
        rates.append(rate(times))
        counts.append(len(times))
    return statistics.median(firsts), statistics.median(rates), int(statistics.median(counts))


async def custom_events(http: httpx.AsyncClient, wire: Client, count: int, repeats: int) -> Figures:
    """runs.stream of the graph emitting `count` custom events."""
    first, rate, seen = await _repeated(
        http, wire, "events", {"count": count}, "custom", "custom", repeats
    )
    return {"events_first_ms": first, "events_per_s": rate, "events_seen": seen}


async def message_tokens(
    http: httpx.AsyncClient, wire: Client, tokens: int, repeats: int
) -> Figures:
    """Token chunks per second of the fake chat model, streamed as messages-tuple."""
    payload = {"messages": [{"role": "user", "content": "go"}], "tokens": tokens}
    first, rate, seen = await _repeated(
        http, wire, "chat", payload, "messages-tuple", "messages", repeats
    )
    return {"tokens_first_ms": first, "tokens_per_s": rate, "token_events_seen": seen}


async def concurrent_streams(
    http: httpx.AsyncClient, wire: Client, count: int, budget_s: float
) -> Figures:
    """`count` streaming runs on as many threads at once: wall time until all end, errors."""
    threads = await new_threads(wire, count)
    errors: list[str] = []

    async def one(thread: str) -> None:
        try:
            stream = await api.stream_run(http, thread, "events", {"count": 20}, ["custom"])
            if len(stream.of("custom")) != 20:
                errors.append(f"{thread}: {len(stream.of('custom'))} of 20 custom events")
        except Exception as exc:
            errors.append(f"{thread}: {exc!r}")

    start = time.perf_counter()
    tasks = [asyncio.create_task(one(thread)) for thread in threads]
    _done, pending = await asyncio.wait(tasks, timeout=budget_s)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for error in errors[:5]:  # what went wrong, not only how often
        print(f"    stream error: {error}", flush=True)
    return {
        f"streams{count}_seconds": time.perf_counter() - start,
        f"streams{count}_errors": len(errors) + len(pending),
    }
