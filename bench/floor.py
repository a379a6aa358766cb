"""The floor: the one-node graph invoked in-process, no HTTP, with the same checkpointers.

Skeino's runs.wait p50 minus this is what the server adds on top of LangGraph itself.
SQLite is opened the way skeino opens it (WAL, busy_timeout) at both `synchronous` levels.
"""

from __future__ import annotations

import importlib.util
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from bench.envs import BENCH_DIR
from bench.timing import percentile
from bench.workloads import Figures


def _one_node() -> ModuleType:
    """The bench graph module, loaded by path exactly as the servers load it."""
    path = BENCH_DIR / "graphs" / "one_node.py"
    spec = importlib.util.spec_from_file_location("bench_floor_one_node", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@asynccontextmanager
async def _sqlite(synchronous: str) -> AsyncIterator[BaseCheckpointSaver]:
    """AsyncSqliteSaver on a fresh file with skeino's PRAGMAs at the given sync level."""
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        async with aiosqlite.connect(str(Path(tmp) / "floor.db")) as conn:
            for pragma in (
                "journal_mode = WAL",
                f"synchronous = {synchronous}",
                "busy_timeout = 5000",
            ):
                await conn.execute_fetchall(f"PRAGMA {pragma}")
            saver = AsyncSqliteSaver(conn)
            await saver.setup()
            yield saver


@asynccontextmanager
async def _memory() -> AsyncIterator[BaseCheckpointSaver]:
    yield InMemorySaver()


async def _p50(saver: BaseCheckpointSaver, runs: int, budget_s: float) -> tuple[float, float]:
    """p50 and p99 (ms) of sequential ainvoke on one thread, after one warm-up run."""
    graph = _one_node().builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "floor"}}
    await graph.ainvoke({"value": 0}, config)
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(samples) < runs and time.perf_counter() < deadline:
        began = time.perf_counter()
        await graph.ainvoke({"value": 1}, config)
        samples.append(time.perf_counter() - began)
    return percentile(samples, 50) * 1000, percentile(samples, 99) * 1000


async def floor(runs: int, budget_s: float) -> Figures:
    """In-process one-node latency with InMemorySaver and AsyncSqliteSaver NORMAL / FULL."""
    figures: Figures = {}
    savers = {
        "memory": _memory(),
        "sqlite_normal": _sqlite("NORMAL"),
        "sqlite_full": _sqlite("FULL"),
    }
    for name, opening in savers.items():
        async with opening as saver:
            p50, p99 = await _p50(saver, runs, budget_s)
        figures[f"floor_{name}_p50_ms"] = p50
        figures[f"floor_{name}_p99_ms"] = p99
    return figures
