"""Request/response workloads: thread create, runs.wait, state/history, memory.

Each returns flat `{metric: value}` figures (ms, per-second or MiB, named so) that the
report compares across servers. The rate workloads go through `bench.wire` (a client light
enough not to be the bottleneck), the rest through httpx.
"""

from __future__ import annotations

import asyncio

import httpx
import orjson

from bench import client as api
from bench.servers import Server
from bench.sizes import Sizes
from bench.timing import bounded, percentile
from bench.wire import Client, HTTPError

Figures = dict[str, float]
CONCURRENCY = 32
_WAIT_BODY = orjson.dumps({"assistant_id": "one_node", "input": {"value": 1}})


async def create_thread(wire: Client, worker: int) -> str:
    """POST /threads on the worker's connection; the new thread's id."""
    return str((await wire.post(worker, "/threads", b"{}"))["thread_id"])


async def wait_one_node(wire: Client, worker: int, thread: str) -> None:
    """runs.wait of `one_node` with value 1, checking its output is the value 2."""
    output = await wire.post(worker, f"/threads/{thread}/runs/wait", _WAIT_BODY)
    if output != {"value": 2}:
        raise HTTPError(f"runs/wait on {thread} answered {output!r}")


async def thread_create(wire: Client, sizes: Sizes, budget_s: float) -> Figures:
    """POST /threads rate, one at a time and 32 in flight."""
    figures = {}
    for concurrency in (1, CONCURRENCY):
        loop = await bounded(
            lambda worker: create_thread(wire, worker), sizes.threads, budget_s, concurrency
        )
        figures[f"thread_create_c{concurrency}_per_s"] = loop.rate
        figures[f"thread_create_c{concurrency}_errors"] = loop.errors
    return figures


async def new_threads(wire: Client, count: int) -> list[str]:
    """`count` fresh threads, created by 32 workers (each on its own connection)."""
    created: list[str] = []

    async def worker(index: int) -> None:
        for _ in range(index, count, CONCURRENCY):
            created.append(await create_thread(wire, index))

    await asyncio.gather(*(worker(index) for index in range(min(count, CONCURRENCY))))
    return created


async def wait_latency(wire: Client, sizes: Sizes, budget_s: float) -> Figures:
    """Sequential runs.wait of the one-node graph on one thread: p50 and p99."""
    (thread,) = await new_threads(wire, 1)
    await wait_one_node(wire, 0, thread)  # warm the graph and caches
    loop = await bounded(lambda _: wait_one_node(wire, 0, thread), sizes.waits_seq, budget_s)
    return {
        "wait_p50_ms": percentile(loop.latencies, 50) * 1000,
        "wait_p99_ms": percentile(loop.latencies, 99) * 1000,
        "wait_seq_samples": loop.done,
        "wait_seq_errors": loop.errors,
    }


async def wait_throughput(wire: Client, sizes: Sizes, budget_s: float) -> Figures:
    """runs.wait at concurrency 32, each worker on its own thread (no multitask conflicts)."""
    threads = await new_threads(wire, CONCURRENCY)
    loop = await bounded(
        lambda worker: wait_one_node(wire, worker, threads[worker]),
        sizes.waits_conc,
        budget_s,
        CONCURRENCY,
    )
    return {
        "wait_c32_per_s": loop.rate,
        "wait_c32_errors": loop.errors,
        "wait_c32_runs": loop.done,
    }


async def concurrent_waits(wire: Client, count: int, budget_s: float) -> Figures:
    """`count` runs.wait of the one-node graph on as many threads (and connections, opened
    beforehand) at once: wall time until all answer (p50 of their latencies too), and
    errors (failures or unanswered in time)."""
    threads = await new_threads(wire, count)
    await wire.open(count)
    loop = await bounded(
        lambda worker: wait_one_node(wire, worker, threads[worker]),
        count,
        budget_s,
        count,
    )
    return {
        f"waits{count}_seconds": loop.seconds,
        f"waits{count}_p50_s": percentile(loop.latencies, 50),
        f"waits{count}_errors": count - loop.done,
    }


async def state_history(
    http: httpx.AsyncClient, wire: Client, sizes: Sizes, budget_s: float
) -> Figures:
    """get_state and get_history(limit=100) on a thread with `checkpoints` checkpoints."""
    (thread,) = await new_threads(wire, 1)
    config = {"recursion_limit": sizes.checkpoints + 10}
    await api.wait_run(http, thread, "steps", {"n": sizes.checkpoints}, config)
    states = await bounded(lambda _: api.get_state(http, thread), sizes.reads, budget_s)
    histories = await bounded(lambda _: api.get_history(http, thread, 100), sizes.reads, budget_s)
    return {
        "get_state_p50_ms": percentile(states.latencies, 50) * 1000,
        "get_history100_p50_ms": percentile(histories.latencies, 50) * 1000,
        "state_history_errors": states.errors + histories.errors,
    }


async def memory(wire: Client, sizes: Sizes, budget_s: float, server: Server) -> Figures:
    """RSS when idle, then after creating `memory_threads` threads (32 in flight)."""
    await asyncio.sleep(1.0)  # let start-up work settle before the idle reading
    idle = server.rss_mib()
    loop = await bounded(
        lambda worker: create_thread(wire, worker), sizes.memory_threads, budget_s * 6, CONCURRENCY
    )
    return {
        "rss_idle_mib": idle,
        "rss_after_threads_mib": server.rss_mib(),
        "memory_threads_created": loop.done,
    }
