"""A graph that emits a given number of custom stream events."""

from __future__ import annotations

from typing import TypedDict

from langgraph.config import get_stream_writer
from langgraph.graph import START, StateGraph


class State(TypedDict, total=False):
    count: int
    emitted: int


def emit(state: State) -> State:
    write = get_stream_writer()
    count = int(state.get("count", 3))
    for i in range(count):
        write({"i": i})
    return {"emitted": count}


builder = StateGraph(State)
builder.add_node("emit", emit)
builder.add_edge(START, "emit")
graph = builder.compile()
