"""A graph that asks a human before it acts: interrupt() then resume."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt


class State(TypedDict, total=False):
    topic: str
    answer: str
    log: Annotated[list[str], operator.add]


def prepare(state: State) -> State:
    return {"log": [f"prepare:{state.get('topic', '')}"]}


def ask(state: State) -> State:
    answer = interrupt({"question": f"Approve {state.get('topic', '')}?"})
    return {"answer": str(answer), "log": ["ask"]}


def act(state: State) -> State:
    return {"log": [f"act:{state.get('answer', '')}"]}


builder = StateGraph(State)
builder.add_node("prepare", prepare)
builder.add_node("ask", ask)
builder.add_node("act", act)
builder.add_edge(START, "prepare")
builder.add_edge("prepare", "ask")
builder.add_edge("ask", "act")
builder.add_edge("act", END)
graph = builder.compile()
