"""Loop one node `n` times: one run leaves about `n` checkpoints, for state/history latency."""

from __future__ import annotations

from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict, total=False):
    n: int
    step: int


def tick(state: State) -> State:
    """Advance one step; each superstep is one checkpoint."""
    return {"step": state.get("step", 0) + 1}


def more(state: State) -> str:
    """Loop until `n` steps are done."""
    return "tick" if state.get("step", 0) < state.get("n", 1000) else END


builder = StateGraph(State)
builder.add_node("tick", tick)
builder.add_edge(START, "tick")
builder.add_conditional_edges("tick", more, ["tick", END])
graph = builder.compile()
