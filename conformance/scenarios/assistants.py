"""Assistants: CRUD, versions, search and graph introspection."""

from __future__ import annotations

from langgraph_sdk.client import SyncLangGraphClient

from conformance.scenario import Context, scenario


@scenario
async def assistants_crud(ctx: Context) -> None:
    """Create, get, update (new version), list versions, set latest, search, count, delete."""
    assistants = ctx.client.assistants
    created = await assistants.create(
        "chat",
        config={"configurable": {"mood": "calm"}},
        metadata=ctx.tag,
        assistant_id=ctx.new_id(),
        name="conformance chat",
        description="made by a scenario",
    )
    assistant_id = created["assistant_id"]
    await assistants.get(assistant_id)
    await assistants.update(assistant_id, metadata={**ctx.tag, "stage": "two"}, name="renamed")
    await assistants.get_versions(assistant_id)
    await assistants.get_versions(assistant_id, metadata={"stage": "two"}, limit=1)
    await assistants.set_latest(assistant_id, 1)
    await assistants.search(metadata=ctx.tag)
    await assistants.count(metadata=ctx.tag)
    await assistants.delete(assistant_id)
    await ctx.attempt(assistants.get(assistant_id))
    await ctx.attempt(assistants.delete(assistant_id))


@scenario
async def assistants_if_exists(ctx: Context) -> None:
    """An existing assistant id: if_exists=raise is 409, do_nothing returns the original."""
    assistants = ctx.client.assistants
    assistant_id = ctx.new_id()
    await assistants.create("chat", assistant_id=assistant_id, metadata=ctx.tag, name="first")
    await ctx.attempt(assistants.create("chat", assistant_id=assistant_id, if_exists="raise"))
    await assistants.create(
        "chat", assistant_id=assistant_id, if_exists="do_nothing", name="second"
    )
    await ctx.attempt(assistants.create("no-such-graph", metadata=ctx.tag))
    await assistants.delete(assistant_id)


@scenario
async def assistants_search_paginate(ctx: Context) -> None:
    """Search with limit/offset, sort and select; the pagination headers of each page."""
    assistants = ctx.client.assistants
    for name in ("b-second", "a-first", "c-third"):
        await assistants.create("custom", metadata=ctx.tag, name=name)
    await assistants.search(metadata=ctx.tag, limit=2, sort_by="name", sort_order="asc")
    await assistants.search(metadata=ctx.tag, limit=2, offset=2, sort_by="name", sort_order="asc")
    await assistants.search(
        metadata=ctx.tag, sort_by="name", sort_order="desc", select=["assistant_id", "name"]
    )
    await assistants.search(metadata=ctx.tag, graph_id="custom", name="a-first")
    await assistants.count(metadata=ctx.tag, graph_id="custom")


def _introspect(client: SyncLangGraphClient) -> None:
    assistants = client.assistants
    found = assistants.search(graph_id="subgraph", metadata={"created_by": "system"})
    assistant_id = found[0]["assistant_id"]
    assistants.get_graph(assistant_id)
    assistants.get_graph(assistant_id, xray=True)
    assistants.get_schemas(assistant_id)
    assistants.get_subgraphs(assistant_id)
    assistants.get_subgraphs(assistant_id, recurse=True)
    assistants.get_subgraphs(assistant_id, namespace="child")


@scenario
async def assistants_graph_sync(ctx: Context) -> None:
    """Sync client: the system assistant of a graph, its drawable graph, schemas and subgraphs."""
    await ctx.sync(_introspect)
