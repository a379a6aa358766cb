"""A graph of many short steps, each appending the next tick: a lost or repeated step shows
as a gap or a repeat in `ticks`. Each run counts up to its input's `goal`."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict, total=False):
    goal: int
    delay: float
    ticks: Annotated[list[int], operator.add]


async def tick(state: State) -> State:
    await asyncio.sleep(state.get("delay", 0.05))
    return {"ticks": [len(state.get("ticks", [])) + 1]}


def more(state: State) -> str:
    return "tick" if len(state.get("ticks", [])) < state.get("goal", 1) else END


builder = StateGraph(State)
builder.add_node("tick", tick)
builder.add_edge(START, "tick")
builder.add_conditional_edges("tick", more, ["tick", END])
graph = builder.compile()
