"""Port of the suite's `nested` graph: grandparent → parent → child, each a subgraph node."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class ChildState(TypedDict, total=False):
    messages: Annotated[list[str], operator.add]
    child: Literal["child_one", "child_two"]


class ParentState(TypedDict, total=False):
    messages: Annotated[list[str], operator.add]
    parent: Literal["parent_one", "parent_two"]


class GrandParentState(TypedDict, total=False):
    messages: Annotated[list[str], operator.add]


def _enter(name: str) -> Any:
    return lambda _state: {"messages": [f"Entered {name} node"]}


def _chain(state: type, first: str, second: str, second_node: Any) -> Any:
    builder = StateGraph(state)
    builder.add_node(first, _enter(first))
    builder.add_node(second, second_node)
    builder.add_edge(START, first)
    builder.add_edge(first, second)
    builder.add_edge(second, END)
    return builder.compile()


child = _chain(ChildState, "c_one", "c_two", _enter("c_two"))
parent = _chain(ParentState, "p_one", "p_two", child)
graph = _chain(GrandParentState, "gp_one", "gp_two", parent)
