"""Threads: CRUD, search, copy, prune, TTLs, state and history."""

from __future__ import annotations

from langgraph_sdk.client import SyncLangGraphClient

from conformance.scenario import Context, scenario
from conformance.scenarios._support import chat_input, new_thread


@scenario
async def threads_crud(ctx: Context) -> None:
    """Create, get, update metadata, search, count, copy, delete; then 404 on the deleted one."""
    threads = ctx.client.threads
    thread_id = await new_thread(ctx, metadata={"color": "red"})
    await threads.get(thread_id)
    await threads.update(thread_id, metadata={"color": "blue"})
    await threads.search(metadata=ctx.tag)
    await threads.count(metadata=ctx.tag)
    await threads.copy(thread_id)
    await threads.count(metadata=ctx.tag)
    await threads.delete(thread_id)
    await ctx.attempt(threads.get(thread_id))


@scenario
async def threads_if_exists(ctx: Context) -> None:
    """Creating an existing thread id: if_exists=raise is 409, do_nothing returns the original."""
    thread_id = ctx.new_id()
    await new_thread(ctx, thread_id=thread_id)
    await ctx.attempt(ctx.client.threads.create(thread_id=thread_id, if_exists="raise"))
    await ctx.client.threads.create(thread_id=thread_id, if_exists="do_nothing", metadata={"x": 1})


def _search(client: SyncLangGraphClient, tag: dict[str, str]) -> None:
    threads = client.threads
    for index in range(3):
        threads.create(metadata={**tag, "index": index})
    threads.search(metadata=tag, limit=2, sort_by="created_at", sort_order="asc")
    threads.search(metadata=tag, limit=2, offset=2, sort_by="created_at", sort_order="asc")
    threads.search(metadata={**tag, "index": 1}, status="idle", select=["thread_id", "metadata"])
    threads.count(metadata=tag, status="idle")


@scenario
async def threads_search_sync(ctx: Context) -> None:
    """Sync client: search with limit/offset/sort/select/status and count."""
    await ctx.sync(lambda client: _search(client, ctx.tag))


@scenario
async def threads_prune(ctx: Context) -> None:
    """Prune deletes the given threads and reports how many."""
    first, second = await new_thread(ctx), await new_thread(ctx)
    await ctx.client.threads.prune([first, second])
    await ctx.attempt(ctx.client.threads.get(first))


@scenario
async def threads_ttl(ctx: Context) -> None:
    """TTLs are accepted in every shape the schema allows (any number, the strategy alone) and
    never shown on the thread, not even with include=ttl."""
    threads = ctx.client.threads
    for ttl in (5, {"strategy": "delete", "ttl": 0}, {"ttl": -1}, {"strategy": "keep_latest"}):
        await new_thread(ctx, ttl=ttl)
    thread_id = await new_thread(ctx, ttl={"strategy": "keep_latest", "ttl": 60})
    await threads.update(thread_id, metadata={"ttl": "changed"}, ttl=30)
    await threads.get(thread_id, include=["ttl"])
    await threads.search(metadata=ctx.tag, limit=10)


@scenario
async def threads_state_history(ctx: Context) -> None:
    """State after a run, history, state at a checkpoint, and update_state as a node."""
    threads = ctx.client.threads
    thread_id = await new_thread(ctx)
    await ctx.client.runs.wait(thread_id, "chat", input=chat_input("hello"))
    state = await threads.get_state(thread_id)
    history = await threads.get_history(thread_id, limit=5)
    first = history[-1]["checkpoint"]
    await threads.get_state(thread_id, checkpoint=first)
    await threads.get_state(
        thread_id, checkpoint_id=state["checkpoint"]["checkpoint_id"], subgraphs=True
    )
    await threads.update_state(
        thread_id, {"messages": [{"role": "ai", "content": "edited", "id": "m-1"}]}, as_node="agent"
    )
    await threads.get_state(thread_id)
    await threads.get_history(thread_id, limit=2, metadata={"source": "loop"})
