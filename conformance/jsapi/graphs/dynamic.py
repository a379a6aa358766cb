"""Port of the suite's `dynamic` graph: a factory whose one node is named by the config."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


def _append(left: list[str], right: list[str] | str) -> list[str]:
    return [*left, *right] if isinstance(right, list) else [*left, right]


class State(TypedDict, total=False):
    node: str
    messages: Annotated[list[str], _append]


def graph(config: RunnableConfig) -> Any:
    name = config.get("configurable", {}).get("nodeName") or "default"
    builder = StateGraph(State)
    builder.add_node(name, lambda _state: {"node": name, "messages": [name]})
    builder.add_edge(START, name)
    builder.add_edge(name, END)
    return builder.compile()
