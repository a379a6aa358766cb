"""Port of the suite's `error` graph: its node fails with CustomError("Boo!") after a second."""

from __future__ import annotations

import asyncio

from langgraph.graph import START, MessagesState, StateGraph


class CustomError(Exception):
    """The error class name the suite expects in the `error` event."""


async def error_node(state: MessagesState) -> MessagesState:
    await asyncio.sleep(1)
    raise CustomError("Boo!")


builder = StateGraph(MessagesState)
builder.add_node("error_node", error_node)
builder.add_edge(START, "error_node")
graph = builder.compile()
