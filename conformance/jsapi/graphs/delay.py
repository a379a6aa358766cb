"""Port of the suite's `delay` graph: one node that sleeps `delay` milliseconds."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.graph import END, START, MessagesState, StateGraph


class State(MessagesState, total=False):
    delay: int


async def long_running(state: State) -> dict[str, Any]:
    delay = state.get("delay", 0)
    await asyncio.sleep(delay / 1000)
    return {"messages": [("ai", f"finished after {delay}ms")]}


builder = StateGraph(State)
builder.add_node("long_running", long_running)
builder.add_edge(START, "long_running")
builder.add_edge("long_running", END)
graph = builder.compile()
