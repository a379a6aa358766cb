"""A chat graph that stops half-way until the test opens its gate: runs stay in flight
for exactly as long as a browser test needs (a reload, a rejoin), with no timing.

The gate is a store item `("e2e", "gates") / <thread id>`; the node polls for it a bounded
number of times, then carries on regardless so a forgotten gate never hangs a run.
"""

from __future__ import annotations

import asyncio

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableConfig
from langgraph.config import get_store, get_stream_writer
from langgraph.graph import START, MessagesState, StateGraph

POLLS = 1200
POLL_SECONDS = 0.05


async def _say(text: str, messages: list[BaseMessage]) -> BaseMessage:
    return await GenericFakeChatModel(messages=iter([AIMessage(text)])).ainvoke(messages)


async def agent(state: MessagesState, config: RunnableConfig) -> dict[str, list[BaseMessage]]:
    thread_id = config["configurable"]["thread_id"]
    first = await _say("Working on it, one moment please", state["messages"])
    write = get_stream_writer()
    write({"gate": "waiting"})
    store = get_store()
    for _ in range(POLLS):
        if await store.aget(("e2e", "gates"), thread_id) is not None:
            break
        await asyncio.sleep(POLL_SECONDS)
    write({"gate": "open"})
    second = await _say("Done: the gate opened and the answer streamed in", state["messages"])
    return {"messages": [first, second]}


builder = StateGraph(MessagesState)
builder.add_node("agent", agent)
builder.add_edge(START, "agent")
graph = builder.compile()
