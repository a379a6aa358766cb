"""A graph that remembers facts in the server's store across threads."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from langgraph.graph import START, StateGraph
from langgraph.store.base import BaseStore


class State(TypedDict, total=False):
    fact: str
    known: Annotated[list[str], operator.add]


async def remember(state: State, *, store: BaseStore) -> State:
    namespace = ("memories", "facts")
    if fact := state.get("fact"):
        await store.aput(namespace, fact, {"fact": fact})
    items = await store.asearch(namespace, limit=100)
    return {"known": sorted(item.key for item in items)}


builder = StateGraph(State)
builder.add_node("remember", remember)
builder.add_edge(START, "remember")
graph = builder.compile()
