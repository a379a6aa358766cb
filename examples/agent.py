"""An example chat agent whose fake model streams real tokens: no API key, no network.

Swap `EchoModel` for any LangChain chat model (`init_chat_model("openai:gpt-4o")`) and the
rest stays the same.
"""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langgraph.graph import START, MessagesState, StateGraph


def _answer(messages: list[BaseMessage]) -> str:
    question = messages[-1].text if messages else ""
    return f"You asked: {question!r}. I am a fake model, streaming this answer word by word."


async def agent(state: MessagesState) -> dict[str, list[BaseMessage]]:
    model = GenericFakeChatModel(messages=iter([AIMessage(_answer(state["messages"]))]))
    return {"messages": [await model.ainvoke(state["messages"])]}


builder = StateGraph(MessagesState)
builder.add_node("agent", agent)
builder.add_edge(START, "agent")
graph = builder.compile()
