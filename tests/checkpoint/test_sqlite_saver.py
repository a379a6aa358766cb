"""skeino's SQLite checkpointer passes langgraph's own checkpointer conformance suite, and
shares its files with langgraph's `SqliteSaver` both ways."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command

from skeino.checkpoint import SqliteCheckpointer, open_sqlite_saver
from tests.checkpoint import savers
from tests.checkpoint.savers import config, graph

pytestmark = pytest.mark.anyio


@pytest.fixture
def fresh(tmp_path: Path) -> Callable[[], AbstractAsyncContextManager[SqliteCheckpointer]]:
    return lambda: open_sqlite_saver(str(tmp_path / f"{uuid.uuid4().hex}.db"))


async def test_langgraph_conformance_suite(fresh: savers.Opener) -> None:
    await savers.check_conformance("skeino SqliteCheckpointer", fresh)


async def test_a_cancelled_caller_still_has_its_write_committed(fresh: savers.Opener) -> None:
    await savers.check_cancelled_caller(fresh)


async def test_sync_methods_from_a_worker_thread_not_the_loop(fresh: savers.Opener) -> None:
    await savers.check_sync_methods(fresh)


async def test_prune_keeps_the_latest_checkpoint_and_its_pending_writes(
    fresh: savers.Opener,
) -> None:
    await savers.check_prune(fresh)


async def test_an_acknowledged_write_is_committed(tmp_path: Path) -> None:
    path = str(tmp_path / "acked.db")

    def committed(thread_id: str) -> int:
        with sqlite3.connect(path) as conn:
            sql = "SELECT count(*) FROM checkpoints WHERE thread_id = ?"
            count: int = conn.execute(sql, (thread_id,)).fetchone()[0]
            return count

    await savers.check_acknowledged_writes(lambda: open_sqlite_saver(path), committed)


async def test_langgraphs_saver_reads_our_file(tmp_path: Path) -> None:
    path = str(tmp_path / "ours.db")
    async with open_sqlite_saver(path) as saver:
        ours = graph(saver)
        await ours.ainvoke({"log": []}, config("t"))
        await ours.ainvoke(Command(resume="b"), config("t"))
        expected = [(t.config, t.checkpoint, t.metadata) async for t in saver.alist(config("t"))]
        interrupted = [t async for t in saver.alist(config("t")) if t.pending_writes]
    with sqlite3.connect(path, check_same_thread=False) as conn:
        theirs = SqliteSaver(conn)
        read = [(t.config, t.checkpoint, t.metadata) for t in theirs.list(config("t"))]
        assert read == expected
        assert graph(theirs).get_state(config("t")).values == {"log": ["first", "b", "last"]}
        pending = [t.pending_writes for t in theirs.list(config("t")) if t.pending_writes]
        assert pending == [t.pending_writes for t in interrupted]


async def test_we_read_and_continue_langgraphs_file(tmp_path: Path) -> None:
    path = str(tmp_path / "theirs.db")
    with sqlite3.connect(path, check_same_thread=False) as conn:
        graph(SqliteSaver(conn)).invoke({"log": []}, config("t"))
    async with open_sqlite_saver(path) as saver:
        ours = graph(saver)
        assert (await ours.aget_state(config("t"))).next == ("ask",)
        assert await ours.ainvoke(Command(resume="b"), config("t")) == {
            "log": ["first", "b", "last"]
        }


async def test_a_new_directory_and_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "fresh" / "dir" / "graph.db")
    async with open_sqlite_saver(path) as saver:
        await graph(saver).ainvoke({"log": []}, config("t"))
    async with open_sqlite_saver(path) as saver:
        assert (await graph(saver).aget_state(config("t"))).values == {"log": ["first"]}
