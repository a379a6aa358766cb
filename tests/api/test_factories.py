"""A graph factory is built with its assistant's config for every use, state updates too."""

from __future__ import annotations

import operator
from collections.abc import AsyncIterator
from typing import Annotated, Any, TypedDict

import httpx
import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.graph import START, StateGraph
from langgraph_sdk.client import LangGraphClient

import skeino

pytestmark = pytest.mark.anyio


class State(TypedDict, total=False):
    log: Annotated[list[str], operator.add]


def shaped(config: RunnableConfig) -> Any:
    """Adds an `extra` node only when the assistant's config asks for it."""
    builder = StateGraph(State)
    builder.add_node("base", lambda state: {"log": ["base"]})
    builder.add_edge(START, "base")
    if config.get("configurable", {}).get("extra"):
        builder.add_node("extra", lambda state: {"log": ["extra"]})
        builder.add_edge("base", "extra")
    return builder.compile()


@pytest.fixture
async def client(database_uri: str) -> AsyncIterator[LangGraphClient]:
    settings = skeino.SkeinoSettings(database_uri=database_uri)
    app = skeino.create_app(graphs={"shaped": shaped}, settings=settings)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
            yield LangGraphClient(http)


async def test_state_updates_see_the_graph_the_assistant_config_builds(
    client: LangGraphClient,
) -> None:
    assistant = await client.assistants.create("shaped", config={"configurable": {"extra": True}})
    thread_id = (await client.threads.create())["thread_id"]
    out = await client.runs.wait(thread_id, assistant["assistant_id"], input={"log": []})
    assert out["log"] == ["base", "extra"]
    await client.threads.update_state(thread_id, {"log": ["edited"]}, as_node="extra")
    state = await client.threads.get_state(thread_id)
    assert state["values"]["log"] == ["base", "extra", "edited"]
