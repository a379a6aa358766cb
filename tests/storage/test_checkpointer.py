"""Checkpointers chosen by URI hold graph state across reopening (SQLite) or in process."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypedDict

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from skeino.storage import open_checkpointer, open_storage, register_checkpointer
from skeino.storage.uri import sqlite_path
from tests.storage.records import thread

pytestmark = pytest.mark.anyio
CONFIG: Any = {"configurable": {"thread_id": "t1"}}


class State(TypedDict):
    n: int


def counter(saver: BaseCheckpointSaver) -> Any:
    graph = StateGraph(State)
    graph.add_node("increment", lambda state: {"n": state["n"] + 1})
    graph.add_edge(START, "increment")
    graph.add_edge("increment", END)
    return graph.compile(checkpointer=saver)


async def test_memory_round_trip() -> None:
    async with open_checkpointer("memory://") as saver:
        assert isinstance(saver, InMemorySaver)
        assert await counter(saver).ainvoke({"n": 1}, CONFIG) == {"n": 2}
        assert (await counter(saver).aget_state(CONFIG)).values == {"n": 2}


async def test_sqlite_round_trip_across_reopen_beside_the_storage(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path}/new/skeino.db"
    storage = open_storage(uri)
    await storage.open()
    try:
        async with open_checkpointer(uri) as saver:
            assert await counter(saver).ainvoke({"n": 1}, CONFIG) == {"n": 2}
            await storage.create_thread(thread("t1"))
        async with open_checkpointer(uri) as saver:
            assert (await counter(saver).aget_state(CONFIG)).values == {"n": 2}
        assert await storage.get_thread("t1") is not None
    finally:
        await storage.close()
    assert Path(sqlite_path(uri)).exists()


async def test_register_a_scheme() -> None:
    @asynccontextmanager
    async def factory(uri: str) -> Any:
        yield InMemorySaver()

    register_checkpointer("custom-test", factory)
    async with open_checkpointer("custom-test://x") as saver:
        assert isinstance(saver, InMemorySaver)
    with pytest.raises(ValueError, match="no checkpointer"):
        open_checkpointer("nosuch://x")
