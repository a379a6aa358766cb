"""A chat agent whose fake model streams real message chunks, word by word."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langgraph.graph import START, MessagesState, StateGraph


def _reply_to(messages: list[BaseMessage]) -> str:
    last = messages[-1].text if messages else ""
    return f"You said: {last}. That is all I know."


async def agent(state: MessagesState) -> dict[str, list[BaseMessage]]:
    model = GenericFakeChatModel(messages=iter([AIMessage(_reply_to(state["messages"]))]))
    return {"messages": [await model.ainvoke(state["messages"])]}


builder = StateGraph(MessagesState)
builder.add_node("agent", agent)
builder.add_edge(START, "agent")
graph = builder.compile()
