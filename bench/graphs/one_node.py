"""One node that echoes: the smallest run, so server overhead dominates its latency."""

from __future__ import annotations

from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict, total=False):
    value: int


def echo(state: State) -> State:
    """Return a fresh value so every run writes one real checkpoint."""
    return {"value": state.get("value", 0) + 1}


builder = StateGraph(State)
builder.add_node("echo", echo)
builder.add_edge(START, "echo")
builder.add_edge("echo", END)
graph = builder.compile()
