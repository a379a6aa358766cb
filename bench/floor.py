"""The floors: the one-node graph invoked in-process, no HTTP, on each checkpointer.

Skeino's figures over these are what the server adds on top of LangGraph itself, with the
same checkpointer: `memory` (InMemorySaver), `langgraph_sqlite` (langgraph's
AsyncSqliteSaver opened as skeino used to open it: WAL, synchronous=NORMAL), `skeino_sqlite`
(skeino's group-committing saver, as `sqlite://` opens it) and `postgres` (the checkpointer
skeino opens on `postgresql://`, on a fresh database), each sequentially (p50, p99) and
with 32 runs in flight on 32 threads (runs/s).
"""

from __future__ import annotations

import asyncio
import importlib.util
import tempfile
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from bench import pg
from bench.envs import BENCH_DIR
from bench.sizes import Sizes
from bench.timing import bounded, percentile
from bench.workloads import CONCURRENCY, Figures
from skeino.backend import open_backend


def _one_node() -> ModuleType:
    """The bench graph module, loaded by path exactly as the servers load it."""
    path = BENCH_DIR / "graphs" / "one_node.py"
    spec = importlib.util.spec_from_file_location("bench_floor_one_node", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
async def _memory() -> AsyncIterator[BaseCheckpointSaver]:
    yield InMemorySaver()


@asynccontextmanager
async def _backend(uri: str | None = None) -> AsyncIterator[BaseCheckpointSaver]:
    """The checkpointer `open_backend` gives skeino for `uri` (default: a fresh SQLite file)."""
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        async with open_backend(uri or f"sqlite:///{tmp}/floor.db") as backend:
            yield backend.checkpointer


@asynccontextmanager
async def _postgres(server: str) -> AsyncIterator[BaseCheckpointSaver]:
    with pg.fresh_database(server) as uri:
        async with _backend(uri) as saver:
            yield saver


async def _measure(saver: BaseCheckpointSaver, sizes: Sizes) -> Figures:
    graph = _one_node().builder.compile(checkpointer=saver)

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


async def floor(sizes: Sizes, postgres: str | None, failures: list[str]) -> dict[str, Figures]:
    """Each floor's figures by checkpointer name; one that fails is recorded and skipped."""
    openers: dict[str, AbstractAsyncContextManager[BaseCheckpointSaver]] = {
        "memory": _memory(),
        "langgraph_sqlite": _langgraph_sqlite(),
        "skeino_sqlite": _backend(),
    }
    if postgres:
        openers["postgres"] = _postgres(postgres)
    figures: dict[str, Figures] = {}
    for name, opening in openers.items():
        print(f"  [floor] {name} ...", flush=True)
        try:
            async with opening as saver:
                figures[name] = await _measure(saver, sizes)
        except Exception as exc:
            failures.append(f"floor/{name}: {type(exc).__name__}: {exc}")
        await asyncio.sleep(0)
    return figures
