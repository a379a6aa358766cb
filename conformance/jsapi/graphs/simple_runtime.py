"""Port of the suite's `simple_runtime` graph: answers the run context's `model`.

The choices are listed alphabetically, the order the JS schema extractor emits and the
suite's schema test expects (Python keeps declaration order).
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import START, StateGraph
from langgraph.runtime import Runtime
from typing_extensions import TypedDict

Model = Literal["anthropic", "openai", "unknown"]


class State(TypedDict, total=False):
    message: str
    model: Model


class Context(TypedDict, total=False):
    model: Model


def use_context(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    return {"model": (runtime.context or {}).get("model")}


builder = StateGraph(State, context_schema=Context)
builder.add_node("use_context", use_context)
builder.add_edge(START, "use_context")
graph = builder.compile()
