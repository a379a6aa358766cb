"""skeino's SQLite checkpointer passes langgraph's own checkpointer conformance suite, and
shares its files with langgraph's `SqliteSaver` both ways."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypedDict

import anyio
import anyio.to_thread
import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from skeino.checkpoint import SqliteCheckpointer, open_sqlite_saver

pytestmark = pytest.mark.anyio


class State(TypedDict):
    log: list[str]


def _step(name: str) -> Any:
    return lambda state: {"log": [*state["log"], name]}


def _ask(state: State) -> State:
    return {"log": [*state["log"], interrupt("which?")]}


def graph(saver: BaseCheckpointSaver[Any]) -> Any:
    """Three steps with an interrupt between: checkpoints, pending writes and a resume."""
    builder = StateGraph(State)
    builder.add_node("first", _step("first"))
    builder.add_node("ask", _ask)
    builder.add_node("last", _step("last"))
    builder.add_edge(START, "first")
    builder.add_edge("first", "ask")
    builder.add_edge("ask", "last")
    builder.add_edge("last", END)
    return builder.compile(checkpointer=saver)


def config(thread_id: str) -> Any:
    return {"configurable": {"thread_id": thread_id}}


async def test_langgraph_conformance_suite(tmp_path: Path) -> None:
    counter = iter(range(100))

    @checkpointer_test(name="skeino SqliteCheckpointer")
    async def fresh() -> AsyncIterator[SqliteCheckpointer]:
        async with open_sqlite_saver(str(tmp_path / f"suite{next(counter)}.db")) as saver:
            yield saver

    report = await validate(fresh)
    failures = {name: r.failures for name, r in report.results.items() if r.passed is False}
    assert failures == {}
    assert report.passed_all_base()
    assert report.results["copy_thread"].passed


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


async def test_an_acknowledged_write_is_committed(tmp_path: Path) -> None:
    """Every concurrent run's checkpoints are in the file, seen by a stranger connection,
    the moment its `ainvoke` returns: nothing is left to a later commit."""
    path = str(tmp_path / "acked.db")

    def committed(thread_id: str) -> int:
        with sqlite3.connect(path) as conn:
            sql = "SELECT count(*) FROM checkpoints WHERE thread_id = ?"
            count: int = conn.execute(sql, (thread_id,)).fetchone()[0]
            return count

    counts: dict[str, int] = {}

    async with open_sqlite_saver(path) as saver:

        async def run(thread_id: str) -> None:
            await graph(saver).ainvoke({"log": []}, config(thread_id))
            counts[thread_id] = await anyio.to_thread.run_sync(committed, thread_id)

        async with anyio.create_task_group() as tasks:
            for n in range(40):
                tasks.start_soon(run, f"t{n}")
    assert counts == {f"t{n}": 3 for n in range(40)}


async def test_a_cancelled_caller_still_has_its_write_committed(tmp_path: Path) -> None:
    path = str(tmp_path / "cancelled.db")
    async with open_sqlite_saver(path) as saver:
        await graph(saver).ainvoke({"log": []}, config("t"))
        with anyio.CancelScope() as scope:
            scope.cancel()
            await saver.adelete_thread("t")
        await saver.adelete_thread("another")  # committed in order: after the cancelled one
        assert await saver.aget_tuple(config("t")) is None


async def test_sync_methods_from_a_worker_thread(tmp_path: Path) -> None:
    async with open_sqlite_saver(str(tmp_path / "sync.db")) as saver:
        ours = graph(saver)
        await anyio.to_thread.run_sync(ours.invoke, {"log": []}, config("t"))
        state = await anyio.to_thread.run_sync(ours.get_state, config("t"))
        assert state.next == ("ask",)
        history = await anyio.to_thread.run_sync(lambda: list(ours.get_state_history(config("t"))))
        assert len(history) == 3
        assert (await ours.aget_state(config("t"))).values == state.values
        await anyio.to_thread.run_sync(saver.delete_thread, "t")
        assert await saver.aget_tuple(config("t")) is None


async def test_a_new_directory_and_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "fresh" / "dir" / "graph.db")
    async with open_sqlite_saver(path) as saver:
        await graph(saver).ainvoke({"log": []}, config("t"))
    async with open_sqlite_saver(path) as saver:
        assert (await graph(saver).aget_state(config("t"))).values == {"log": ["first"]}


async def test_sync_methods_on_the_event_loop_are_refused(tmp_path: Path) -> None:
    async with open_sqlite_saver(str(tmp_path / "loop.db")) as saver:
        with pytest.raises(RuntimeError, match="async ones"):
            saver.get_tuple(config("t"))


async def test_prune_keeps_the_latest_checkpoint_and_its_pending_writes(tmp_path: Path) -> None:
    """`keep_latest` rewrites a thread in one commit: an interrupted thread keeps its state,
    its pending interrupt and its resume; other threads are untouched; `delete` forgets."""
    async with open_sqlite_saver(str(tmp_path / "prune.db")) as saver:
        ours = graph(saver)
        for thread_id in ("kept", "other", "gone"):
            await ours.ainvoke({"log": []}, config(thread_id))
        before = await ours.aget_state(config("kept"))
        others = [t async for t in saver.alist(config("other"))]
        await saver.aprune(["kept"], strategy="keep_latest")
        await saver.aprune(["gone"], strategy="delete")
        left = [t async for t in saver.alist(config("kept"))]
        assert [t.checkpoint["id"] for t in left] == [
            before.config["configurable"]["checkpoint_id"]
        ]
        assert left[0].parent_config is None
        after = await ours.aget_state(config("kept"))
        assert (after.values, after.next) == (before.values, before.next)
        assert [i.value for i in after.interrupts] == ["which?"]
        assert len([t async for t in saver.alist(config("other"))]) == len(others)
        assert [t async for t in saver.alist(config("gone"))] == []
        done = await ours.ainvoke(Command(resume="this"), config("kept"))
        assert done["log"] == ["first", "this", "last"]
        with pytest.raises(ValueError, match="strategy"):
            await saver.aprune(["kept"], strategy="sideways")
