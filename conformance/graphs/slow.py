"""A graph that takes its time, for cancel, join and multitask scenarios."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.graph import START, StateGraph


class State(TypedDict, total=False):
    delay: float
    steps: int
    log: Annotated[list[str], operator.add]


async def work(state: State) -> State:
    steps = int(state.get("steps", 1))
    for _ in range(steps):
        await asyncio.sleep(float(state.get("delay", 1.0)) / max(steps, 1))
    return {"log": [f"worked:{steps}"]}


def finish(state: State) -> State:
    return {"log": ["done"]}


builder = StateGraph(State)
builder.add_node("work", work)
builder.add_node("finish", finish)
builder.add_edge(START, "work")
builder.add_edge("work", "finish")
graph = builder.compile()
