"""Port of the suite's `agent` graph: a fake model answering "begin" then "end" per thread.

agent → tool → agent → end; the tool echoes the last message as `tool_call__<content>`.
The model keeps its place per thread (a copied thread starts over), as the JS graph does.
State keys drive test branches: `interrupt` raises an interrupt inside the node, `sleep`
(seconds, or `{"steps", "ms"}` writing custom events) delays it, and the first message
"___check_state_value" routes to a node that requires a store item.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AnyMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.config import get_store, get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt
from typing_extensions import TypedDict

SHARED = ("sharedState", "data")
_models: dict[str, FakeListChatModel] = {}


class State(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    sharedStateValue: str | None
    interrupt: bool
    keyOne: str | None
    keyTwo: str | None
    sleep: Any
    sharedStateFromStoreConfig: dict[str, Any] | None


class Configurable(TypedDict):
    model_name: str


def _model(config: RunnableConfig) -> FakeListChatModel:
    thread_id = config.get("configurable", {}).get("thread_id") or "$"
    return _models.setdefault(thread_id, FakeListChatModel(responses=["begin", "end"]))


async def _sleep(state: State) -> None:
    sleep = state.get("sleep")
    messages = state.get("messages") or []
    if sleep is None or not messages or messages[-1].type != "human":
        return
    if isinstance(sleep, dict):
        writer = get_stream_writer()
        for step in range(sleep["steps"]):
            writer({"type": "sleep", "step": step})
            await asyncio.sleep(sleep["ms"] / 1000)
    else:
        await asyncio.sleep(sleep)


async def agent(state: State, config: RunnableConfig) -> dict[str, Any]:
    if state.get("interrupt"):
        interrupt("i want to interrupt")
    await _sleep(state)
    response = await _model(config).ainvoke(state.get("messages") or [])
    if not state.get("sharedStateFromStoreConfig"):
        user_id = config.get("configurable", {}).get("user_id")
        await get_store().aput(SHARED, "user_id", {"id": user_id})
    return {"interrupt": False, "messages": [response]}


async def tool(state: State) -> dict[str, Any]:
    item = await get_store().aget(SHARED, "user_id")
    shared = item.value if item else None
    messages = state.get("messages") or []
    if not messages:
        return {"messages": [], "sharedStateFromStoreConfig": shared}
    echo = ToolMessage(content=f"tool_call__{messages[-1].content}", tool_call_id="tool_call_id")
    return {"messages": [echo], "sharedStateFromStoreConfig": shared}


async def check_shared_state(state: State) -> dict[str, Any]:
    item = await get_store().aget(("inputtedState", "data"), "my_key")
    if item is None or not item.value.get("isTrue"):
        raise ValueError("Value is not true")
    return {}


def route(state: State) -> str:
    first = state["messages"][0].content
    if first == "should_end":
        return END
    if first == "___check_state_value":
        return "checkSharedState"
    return END if state["messages"][-1].content == "end" else "tool"


builder = StateGraph(State, config_schema=Configurable)
builder.add_node("agent", agent)
builder.add_node("tool", tool)
builder.add_node("checkSharedState", check_shared_state)
builder.add_edge(START, "agent")
builder.add_conditional_edges("agent", route, ["tool", "checkSharedState", END])
builder.add_edge("tool", "agent")
builder.add_edge("checkSharedState", END)
graph = builder.compile()
