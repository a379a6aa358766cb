"""The key-value store: items, search, namespaces, and a graph that uses it."""

from __future__ import annotations

from langgraph_sdk.client import SyncLangGraphClient

from conformance.scenario import Context, SetupError, scenario
from conformance.scenarios._support import new_thread

FACTS = ["memories", "facts"]
CLEANUP_PAGE = 10
"""Small pages: a server may cap `limit`; set-up must not depend on that."""
CLEANUP_ROUNDS = 100


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


async def _delete_all(ctx: Context, namespace: list[str]) -> None:
    """Delete a namespace's items a small page at a time, until a page comes back empty."""
    for _ in range(CLEANUP_ROUNDS):
        page = await ctx.client.store.search_items(namespace, limit=CLEANUP_PAGE)
        if not page["items"]:
            return
        for item in page["items"]:
            await ctx.client.store.delete_item(namespace, item["key"])
    raise SetupError(f"items of {namespace} still there after {CLEANUP_ROUNDS} rounds")


@scenario
async def store_from_graph(ctx: Context) -> None:
    """A graph writes to the server's store; the items are visible through the store API."""
    async with ctx.setup("deleting the facts earlier runs left in the store"):
        await _delete_all(ctx, FACTS)
    for fact in ("sky-is-blue", "grass-is-green"):
        await ctx.client.runs.wait(await new_thread(ctx), "store", input={"fact": fact})
    await ctx.client.store.search_items(FACTS)
