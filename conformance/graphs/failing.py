"""A graph whose only node raises, for the error paths of runs."""

from __future__ import annotations

from typing import TypedDict

from langgraph.graph import START, StateGraph


class State(TypedDict, total=False):
    value: str


def explode(state: State) -> State:
    raise ValueError(f"boom: {state.get('value', '')}")


builder = StateGraph(State)
builder.add_node("explode", explode)
builder.add_edge(START, "explode")
graph = builder.compile()
