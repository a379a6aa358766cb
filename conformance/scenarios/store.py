"""The key-value store: items, search, namespaces, and a graph that uses it."""

from __future__ import annotations

from langgraph_sdk.client import SyncLangGraphClient

from conformance.scenario import Context, scenario
from conformance.scenarios._support import new_thread

FACTS = ["memories", "facts"]


@scenario
async def store_items(ctx: Context) -> None:
    """Put, get, search (prefix, filter, paging), list namespaces, delete; then 404."""
    store = ctx.client.store
    root = ["conformance", ctx.tag["conformance"]]
    await store.put_item([*root, "a"], "k1", {"n": 1, "kind": "odd"})
    await store.put_item([*root, "a"], "k2", {"n": 2, "kind": "even"}, index=False)
    await store.put_item([*root, "b"], "k3", {"n": 3, "kind": "odd"}, ttl=60)
    await store.get_item([*root, "a"], "k1")
    await store.search_items(root, filter={"kind": "odd"})
    await store.search_items(root, limit=1, offset=1)
    await store.list_namespaces(prefix=root)
    await store.list_namespaces(prefix=root, max_depth=2, limit=1)
    await store.delete_item([*root, "a"], "k1")
    await ctx.attempt(store.get_item([*root, "a"], "k1"))
    await store.put_item([*root, "a"], "k2", {"n": 22})
    await store.get_item([*root, "a"], "k2")


def _sync_store(client: SyncLangGraphClient, namespace: list[str]) -> None:
    store = client.store
    store.put_item(namespace, "sync", {"ok": True})
    store.get_item(namespace, "sync")
    store.search_items(namespace[:2], limit=5)
    store.list_namespaces(prefix=namespace, suffix=namespace[-1:])
    store.delete_item(namespace, "sync")


@scenario
async def store_sync_client(ctx: Context) -> None:
    """Sync client: put, get, search, list namespaces, delete."""
    namespace = ["conformance", ctx.tag["conformance"], "sync"]
    await ctx.sync(lambda client: _sync_store(client, namespace))


@scenario
async def store_from_graph(ctx: Context) -> None:
    """A graph writes to the server's store; the items are visible through the store API."""
    async with ctx.unrecorded():
        leftovers = await ctx.client.store.search_items(FACTS, limit=1000)
        for item in leftovers["items"]:
            await ctx.client.store.delete_item(FACTS, item["key"])
    for fact in ("sky-is-blue", "grass-is-green"):
        await ctx.client.runs.wait(await new_thread(ctx), "store", input={"fact": fact})
    await ctx.client.store.search_items(FACTS)
