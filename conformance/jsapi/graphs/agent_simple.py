"""Port of the suite's `agent_simple` graph: model "begin" / "end\\u2028", tool reached by Send.

A `x-configurable-header` in the configurable (put there by the http app's middleware)
short-cuts the model and answers `end: <header>`.
"""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AnyMessage, BaseMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.config import get_store
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import Send
from typing_extensions import TypedDict

_models: dict[str, FakeListChatModel] = {}


class State(TypedDict, total=False):
    key_one: str
    key_two: str
    sleep: int
    messages: Annotated[list[AnyMessage], add_messages]


async def agent(state: State, config: RunnableConfig) -> dict[str, Any]:
    configurable = config.get("configurable", {})
    header = configurable.get("x-configurable-header")
    if header is not None:
        return {"messages": [("ai", f"end: {header}")]}
    user = configurable.get("langgraph_auth_user")
    namespace = (getattr(user, "identity", None) or "ALL",)
    store = get_store()
    if await store.aget(namespace, "key_one") is None:
        await store.aput(namespace, "key_one", {"text": state["messages"][-1].content})
    thread_id = configurable.get("thread_id") or "$"
    model = _models.setdefault(thread_id, FakeListChatModel(responses=["begin", "end\u2028"]))
    return {"messages": [await model.ainvoke(state["messages"])]}


async def tool(message: BaseMessage) -> dict[str, Any]:
    return {
        "messages": [
            ToolMessage(content=f"tool_call__{message.content}", tool_call_id="tool_call_id")
        ]
    }


def route(state: State) -> Any:
    last = state["messages"][-1]
    return END if str(last.content).startswith("end") else Send("tool", last)


builder = StateGraph(State)
builder.add_node("agent", agent)
builder.add_node("tool", tool)
builder.add_edge(START, "agent")
builder.add_conditional_edges("agent", route, ["tool", END])
builder.add_edge("tool", "agent")
graph = builder.compile()
