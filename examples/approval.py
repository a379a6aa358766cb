"""An example human-in-the-loop graph: it drafts, asks for approval, then acts."""

from __future__ import annotations

from typing import TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt


class State(TypedDict, total=False):
    request: str
    draft: str
    approved: bool
    result: str


def draft(state: State) -> State:
    return {"draft": f"Plan for {state.get('request', 'nothing')}"}


def review(state: State) -> State:
    decision = interrupt({"draft": state.get("draft"), "question": "Approve this plan?"})
    return {"approved": decision in (True, "yes", "approve")}


def act(state: State) -> State:
    return {"result": "done" if state.get("approved") else "cancelled"}


builder = StateGraph(State)
builder.add_node("draft", draft)
builder.add_node("review", review)
builder.add_node("act", act)
builder.add_edge(START, "draft")
builder.add_edge("draft", "review")
builder.add_edge("review", "act")
builder.add_edge("act", END)
graph = builder.compile()
