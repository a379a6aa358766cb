"""Emit `count` custom stream events from one node: measures the streaming pipe, not the graph."""

from __future__ import annotations

from typing import TypedDict

from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph


class State(TypedDict, total=False):
    count: int
    emitted: int


def emit(state: State) -> State:
    """Write small payloads back to back; the count comes from the input so loads can scale."""
    write = get_stream_writer()
    count = state.get("count", 2000)
    for index in range(count):
        write({"i": index})
    return {"emitted": count}


builder = StateGraph(State)
builder.add_node("emit", emit)
builder.add_edge(START, "emit")
builder.add_edge("emit", END)
graph = builder.compile()
