"""Ports of the suite's three schema-extraction graphs (one node `process` each).

The JS originals differ in how their state schema is declared (StateSchema, Zod with
`withLangGraph`, plain Zod); in Python each is a TypedDict with the same keys.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from langchain_core.messages import AIMessage, AnyMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict


def _append(left: list[str], right: str) -> list[str]:
    return [*left, right]


class MessagesCount(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    count: int


class RegistryState(TypedDict, total=False):
    messages: Annotated[list[str], _append]
    count: int
    status: Literal["idle", "processing", "done"]


class PlainState(TypedDict, total=False):
    items: list[str]
    counter: int
    label: str


def _single(state: type, process: Any) -> Any:
    builder = StateGraph(state)
    builder.add_node("process", process)
    builder.add_edge(START, "process")
    builder.add_edge("process", END)
    return builder.compile()


def _respond(state: MessagesCount) -> dict[str, Any]:
    count = state.get("count", 0)
    return {"messages": [AIMessage(f"Response {count + 1}")], "count": count + 1}


def _register(state: RegistryState) -> dict[str, Any]:
    count = state.get("count", 0)
    return {"messages": f"Message {count + 1}", "count": count + 1, "status": "processing"}


def _collect(state: PlainState) -> dict[str, Any]:
    counter = state.get("counter", 0)
    items = [*state.get("items", []), f"Item {counter + 1}"]
    return {"items": items, "counter": counter + 1, "label": "processed"}


state_schema_graph = _single(MessagesCount, _respond)
zod_registry_graph = _single(RegistryState, _register)
plain_zod_graph = _single(PlainState, _collect)
