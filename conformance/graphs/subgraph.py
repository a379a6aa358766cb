"""A parent graph with a compiled child graph as one of its nodes."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from langgraph.graph import START, StateGraph


class State(TypedDict, total=False):
    log: Annotated[list[str], operator.add]


def child_step(state: State) -> State:
    return {"log": ["child"]}


child_builder = StateGraph(State)
child_builder.add_node("child_step", child_step)
child_builder.add_edge(START, "child_step")
child = child_builder.compile()


def before(state: State) -> State:
    return {"log": ["before"]}


builder = StateGraph(State)
builder.add_node("before", before)
builder.add_node("child", child)
builder.add_edge(START, "before")
builder.add_edge("before", "child")
graph = builder.compile()
