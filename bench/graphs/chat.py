"""A fake chat model streaming `tokens` tokens: message streaming with no network or model."""

from __future__ import annotations

from typing import Annotated, TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages


class State(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    tokens: int


async def reply(state: State) -> State:
    """Stream a reply of `tokens` words; GenericFakeChatModel yields one chunk per word."""
    words = " ".join(f"w{index}" for index in range(state.get("tokens", 1000)))
    model = GenericFakeChatModel(messages=iter([AIMessage(content=words)]))
    message = await model.ainvoke(state.get("messages", []))
    return {"messages": [message]}


builder = StateGraph(State)
builder.add_node("reply", reply)
builder.add_edge(START, "reply")
builder.add_edge("reply", END)
graph = builder.compile()
