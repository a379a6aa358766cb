"""`/assistants` through the official SDK, on memory and SQLite."""

from __future__ import annotations

import uuid
from typing import Literal

import httpx
import pytest
from langgraph.graph import START, StateGraph
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import ConflictError, NotFoundError, UnprocessableEntityError
from typing_extensions import TypedDict

import skeino
from skeino.ids import system_assistant_id

pytestmark = pytest.mark.anyio

GRAPHS = {"chat", "interrupt", "slow", "custom", "subgraph", "failing", "store"}


async def test_system_assistants_use_official_ids(client: LangGraphClient) -> None:
    found = await client.assistants.search(limit=100)
    assert {a["graph_id"] for a in found} == GRAPHS
    for assistant in found:
        assert assistant["assistant_id"] == system_assistant_id(assistant["graph_id"])
        assert assistant["metadata"] == {"created_by": "system"}
        assert assistant["name"] == assistant["graph_id"]
        assert assistant["version"] == 1
    assert system_assistant_id("store") == "d8837d38-180d-5884-bc77-c492e75c0395"


async def test_create_get_patch_versions_latest_delete(client: LangGraphClient) -> None:
    created = await client.assistants.create(
        "chat", config={"configurable": {"x": 1}}, metadata={"team": "a"}, name="mine"
    )
    assert created["version"] == 1 and created["name"] == "mine"
    aid = created["assistant_id"]
    assert (await client.assistants.get(aid))["metadata"] == {"team": "a"}

    patched = await client.assistants.update(aid, metadata={"env": "prod"}, name="renamed")
    assert patched["version"] == 2
    assert patched["metadata"] == {"team": "a", "env": "prod"}
    assert patched["name"] == "renamed"

    versions = await client.assistants.get_versions(aid)
    assert [v["version"] for v in versions] == [2, 1]

    back = await client.assistants.set_latest(aid, 1)
    assert back["version"] == 1 and back["name"] == "mine"

    await client.assistants.delete(aid)
    with pytest.raises(NotFoundError):
        await client.assistants.get(aid)


async def test_if_exists(client: LangGraphClient) -> None:
    aid = str(uuid.uuid4())
    await client.assistants.create("chat", assistant_id=aid, name="one")
    with pytest.raises(ConflictError):
        await client.assistants.create("chat", assistant_id=aid)
    same = await client.assistants.create("slow", assistant_id=aid, if_exists="do_nothing")
    assert same["graph_id"] == "chat" and same["name"] == "one"


async def test_unknown_graph_and_ids(client: LangGraphClient, http: httpx.AsyncClient) -> None:
    with pytest.raises(NotFoundError):
        await client.assistants.create("nope")
    with pytest.raises(NotFoundError):
        await client.assistants.get(str(uuid.uuid4()))
    response = await http.get("/assistants/chat")
    assert response.status_code == 422
    assert response.json() == {"detail": "Invalid assistant ID: must be a UUID"}
    with pytest.raises(UnprocessableEntityError):
        await client.assistants.delete("not-a-uuid")


async def test_search_filters_sort_and_pagination(
    client: LangGraphClient, http: httpx.AsyncClient
) -> None:
    tag = str(uuid.uuid4())
    for name in ["b", "a", "c"]:
        await client.assistants.create("custom", metadata={"tag": tag}, name=name)
    found = await client.assistants.search(metadata={"tag": tag}, sort_by="name", sort_order="asc")
    assert [a["name"] for a in found] == ["a", "b", "c"]
    assert await client.assistants.count(metadata={"tag": tag}) == 3
    assert await client.assistants.count(graph_id="custom") == 4

    response = await http.post(
        "/assistants/search", json={"metadata": {"tag": tag}, "limit": 2, "offset": 0}
    )
    assert response.headers["x-pagination-total"] == "3"
    assert response.headers["x-pagination-next"] == "2"
    last = await http.post(
        "/assistants/search", json={"metadata": {"tag": tag}, "limit": 2, "offset": 2}
    )
    assert last.headers["x-pagination-total"] == "3"
    assert "x-pagination-next" not in last.headers

    selected = await client.assistants.search(metadata={"tag": tag}, select=["assistant_id"])
    assert all(set(a) == {"assistant_id"} for a in selected)


async def test_graph_schemas_subgraphs(client: LangGraphClient, http: httpx.AsyncClient) -> None:
    drawn = await client.assistants.get_graph("chat")
    assert [n["id"] for n in drawn["nodes"]] == ["__start__", "agent", "__end__"]
    assert drawn["nodes"][1]["data"] == {"name": "agent"}

    sub = system_assistant_id("subgraph")
    xray = await client.assistants.get_graph(sub, xray=True)
    assert "child:child_step" in {n["id"] for n in xray["nodes"]}

    schemas = await client.assistants.get_schemas(system_assistant_id("chat"))
    assert schemas["graph_id"] == "chat"
    assert "messages" in schemas["input_schema"]["properties"]

    subgraphs = await client.assistants.get_subgraphs(sub)
    assert set(subgraphs) == {"child"}
    assert "graph_id" not in subgraphs["child"]
    one = await client.assistants.get_subgraphs(sub, namespace="child")
    assert set(one) == {"child"}
    missing = await http.get(f"/assistants/{sub}/subgraphs/nope")
    assert missing.status_code == 404


class Limits(TypedDict):
    tokens: int


class Context(TypedDict, total=False):
    model: Literal["openai", "anthropic"]
    limits: Limits


async def test_config_schema_is_the_configurable_alone() -> None:
    """`config_schema` describes what goes in `configurable` (here the runtime context),
    not the whole RunnableConfig, as the official server answers; nested types keep $defs."""
    builder = StateGraph(Context, context_schema=Context)
    builder.add_node("noop", lambda state: {})
    builder.add_edge(START, "noop")
    settings = skeino.SkeinoSettings(database_uri="memory://")
    app = skeino.create_app(graphs={"ctx": builder.compile()}, settings=settings)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
            schemas = await LangGraphClient(http).assistants.get_schemas(system_assistant_id("ctx"))
    assert schemas["config_schema"] == {
        "$defs": {
            "Limits": {
                "properties": {"tokens": {"title": "Tokens", "type": "integer"}},
                "required": ["tokens"],
                "title": "Limits",
                "type": "object",
            }
        },
        "properties": {
            "model": {"enum": ["openai", "anthropic"], "title": "Model", "type": "string"},
            "limits": {"$ref": "#/$defs/Limits"},
        },
        "title": "Context",
        "type": "object",
    }
    assert schemas["context_schema"] == schemas["config_schema"]
