"""What every skeino checkpointer must do, whatever its database: each `check_*` takes an
`Opener` (a fresh, empty saver per call) and is run by the test module of each saver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypedDict

import anyio
import anyio.to_thread
import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

Opener = Callable[[], AbstractAsyncContextManager[Any]]


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


async def check_conformance(name: str, fresh: Opener) -> None:
    """langgraph's own checkpointer conformance suite."""

    @checkpointer_test(name=name)
    async def saver() -> AsyncIterator[Any]:
        async with fresh() as opened:
            yield opened

    report = await validate(saver)
    failures = {name: r.failures for name, r in report.results.items() if r.passed is False}
    assert failures == {}
    assert report.passed_all_base()
    assert report.results["copy_thread"].passed


async def check_cancelled_caller(fresh: Opener) -> None:
    """A cancelled caller's write is committed anyway, in order."""
    async with fresh() as saver:
        await graph(saver).ainvoke({"log": []}, config("t"))
        with anyio.CancelScope() as scope:
            scope.cancel()
            await saver.adelete_thread("t")
        await saver.adelete_thread("another")  # committed in order: after the cancelled one
        assert await saver.aget_tuple(config("t")) is None


async def check_sync_methods(fresh: Opener) -> None:
    """From a worker thread the sync methods work; on the event loop they are refused."""
    async with fresh() as saver:
        with pytest.raises(RuntimeError, match="async ones"):
            saver.get_tuple(config("t"))
        ours = graph(saver)
        await anyio.to_thread.run_sync(ours.invoke, {"log": []}, config("t"))
        state = await anyio.to_thread.run_sync(ours.get_state, config("t"))
        assert state.next == ("ask",)
        history = await anyio.to_thread.run_sync(lambda: list(ours.get_state_history(config("t"))))
        assert len(history) == 3
        assert (await ours.aget_state(config("t"))).values == state.values
        await anyio.to_thread.run_sync(saver.delete_thread, "t")
        assert await saver.aget_tuple(config("t")) is None


async def check_prune(fresh: Opener) -> None:
    """`keep_latest` keeps an interrupted thread's state, its pending interrupt and its
    resume; other threads are untouched; `delete` forgets."""
    async with fresh() as saver:
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


async def check_acknowledged_writes(fresh: Opener, committed: Callable[[str], int]) -> None:
    """Every concurrent run's checkpoints are committed, as `committed(thread)` counts them
    on a stranger connection, the moment its `ainvoke` returns."""
    counts: dict[str, int] = {}
    async with fresh() as saver:

        async def run(thread_id: str) -> None:
            await graph(saver).ainvoke({"log": []}, config(thread_id))
            counts[thread_id] = await anyio.to_thread.run_sync(committed, thread_id)

        async with anyio.create_task_group() as tasks:
            for n in range(40):
                tasks.start_soon(run, f"t{n}")
    assert counts == {f"t{n}": 3 for n in range(40)}
