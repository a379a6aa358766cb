"""The floors: the one-node graph invoked in-process, no HTTP, on each checkpointer.

Skeino's figures over these are what the server adds on top of LangGraph itself, with the
same checkpointer: `memory` (InMemorySaver), `langgraph_sqlite` (langgraph's
AsyncSqliteSaver opened as skeino used to open it: WAL, synchronous=NORMAL), `skeino_sqlite`
(skeino's group-committing saver, as `sqlite://` opens it) and `postgres` (the checkpointer
skeino opens on `postgresql://`, on a fresh database), each sequentially (p50, p99) and
with 32 runs in flight on 32 threads (runs/s). On `memory` and `skeino_sqlite` also the
stream floors (`bench.stream_floor`): custom events/s and message tokens/s of one stream.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from bench import pg
from bench.envs import graph_module
from bench.sizes import Sizes
from bench.stream_floor import stream_floor
from bench.timing import bounded, percentile
from bench.workloads import CONCURRENCY, Figures
from skeino.backend import open_backend


@asynccontextmanager
async def _langgraph_sqlite() -> AsyncIterator[BaseCheckpointSaver]:
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        async with aiosqlite.connect(str(Path(tmp) / "floor.db")) as conn:
            for pragma in ("busy_timeout = 5000", "journal_mode = WAL", "synchronous = NORMAL"):
                await conn.execute_fetchall(f"PRAGMA {pragma}")
            saver = AsyncSqliteSaver(conn)
            await saver.setup()
            yield saver


@asynccontextmanager
async def memory() -> AsyncIterator[BaseCheckpointSaver]:
    yield InMemorySaver()


@asynccontextmanager
async def backend(uri: str | None = None) -> AsyncIterator[BaseCheckpointSaver]:
    """The checkpointer `open_backend` gives skeino for `uri` (default: a fresh SQLite file)."""
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        async with open_backend(uri or f"sqlite:///{tmp}/floor.db") as opened:
            yield opened.checkpointer


@asynccontextmanager
async def _postgres(server: str) -> AsyncIterator[BaseCheckpointSaver]:
    with pg.fresh_database(server) as uri:
        async with backend(uri) as saver:
            yield saver


async def _measure(saver: BaseCheckpointSaver, sizes: Sizes) -> Figures:
    graph = graph_module("one_node").builder.compile(checkpointer=saver)

    def config(thread: int) -> Any:
        return {"configurable": {"thread_id": f"floor-{thread}"}}

    await graph.ainvoke({"value": 0}, config(0))  # warm up
    seq = await bounded(
        lambda _: graph.ainvoke({"value": 1}, config(0)), sizes.waits_seq, sizes.budget_s
    )
    conc = await bounded(
        lambda worker: graph.ainvoke({"value": 1}, config(worker)),
        sizes.waits_conc,
        sizes.budget_s,
        CONCURRENCY,
    )
    return {
        "p50_ms": percentile(seq.latencies, 50) * 1000,
        "p99_ms": percentile(seq.latencies, 99) * 1000,
        "c32_per_s": conc.rate,
        "errors": seq.errors + conc.errors,
    }


# The checkpointers whose stream floors are also taken: what skeino opens for `memory://`
# and for `sqlite://` (the stream figures barely depend on the checkpointer).
STREAM_FLOORS = ("memory", "skeino_sqlite")


async def floor(
    sizes: Sizes,
    postgres: str | None,
    failures: list[str],
    only: tuple[str, ...] | None = None,
) -> dict[str, Figures]:
    """Each floor's figures by checkpointer name (all, or `only` those); one that fails is
    recorded and skipped."""
    openers: dict[str, Callable[[], AbstractAsyncContextManager[BaseCheckpointSaver]]] = {
        "memory": memory,
        "langgraph_sqlite": _langgraph_sqlite,
        "skeino_sqlite": backend,
    }
    if postgres:
        openers["postgres"] = lambda: _postgres(postgres)
    figures: dict[str, Figures] = {}
    for name, opener in openers.items():
        if only is not None and name not in only:
            continue
        print(f"  [floor] {name} ...", flush=True)
        try:
            async with opener() as saver:
                figures[name] = await _measure(saver, sizes)
                if name in STREAM_FLOORS:
                    figures[name] |= await stream_floor(saver, sizes)
        except Exception as exc:
            failures.append(f"floor/{name}: {type(exc).__name__}: {exc}")
        await asyncio.sleep(0)
    return figures
