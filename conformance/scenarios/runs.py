"""Runs: wait, create/join/get/list/delete, cancel, batch, failures, stateless runs."""

from __future__ import annotations

from langgraph_sdk.client import SyncLangGraphClient

from conformance.scenario import Context, scenario
from conformance.scenarios._support import (
    chat_input,
    drain,
    new_thread,
    slow_input,
    until_running,
)


@scenario
async def runs_wait_thread(ctx: Context) -> None:
    """runs.wait on a thread returns the final values; a second run sees the first's messages."""
    thread_id = await new_thread(ctx)
    await ctx.client.runs.wait(thread_id, "chat", input=chat_input("one"), metadata={"n": 1})
    await ctx.client.runs.wait(thread_id, "chat", input=chat_input("two"))


@scenario
async def runs_thread_if_not_exists(ctx: Context) -> None:
    """A run on an unknown thread id: 404 by default, created with if_not_exists=create."""
    thread_id = ctx.new_id()
    await ctx.attempt(ctx.client.runs.wait(thread_id, "chat", input=chat_input("anyone?")))
    await ctx.client.runs.wait(
        thread_id, "chat", input=chat_input("hello?"), if_not_exists="create"
    )
    await ctx.client.threads.get(thread_id)


@scenario
async def runs_wait_stateless(ctx: Context) -> None:
    """runs.wait without a thread (stateless), addressing the assistant by graph name."""
    await ctx.client.runs.wait(None, "chat", input=chat_input("stateless"))
    await ctx.client.runs.wait(None, "custom", input={"count": 2}, on_completion="delete")


@scenario
async def runs_lifecycle(ctx: Context) -> None:
    """Create a background run, join it, get it, list runs, delete it, then 404."""
    runs = ctx.client.runs
    thread_id = await new_thread(ctx)
    run = await runs.create(thread_id, "chat", input=chat_input("background"), metadata=ctx.tag)
    await runs.join(thread_id, run["run_id"])
    await runs.get(thread_id, run["run_id"])
    await runs.list(thread_id)
    await runs.list(thread_id, limit=1, status="success", select=["run_id", "status"])
    await runs.delete(thread_id, run["run_id"])
    await ctx.attempt(runs.get(thread_id, run["run_id"]))
    await ctx.client.threads.get(thread_id)


@scenario
async def runs_cancel(ctx: Context) -> None:
    """Cancel a running run (wait=True), then its status is interrupted; cancel_many by status."""
    runs = ctx.client.runs
    thread_id = await new_thread(ctx)
    run = await runs.create(thread_id, "slow", input=slow_input(5.0, 50))
    await until_running(ctx, thread_id, run["run_id"])
    await runs.cancel(thread_id, run["run_id"], wait=True)
    await runs.get(thread_id, run["run_id"])
    await ctx.client.threads.get(thread_id)
    second = await runs.create(thread_id, "slow", input=slow_input(5.0, 50))
    await until_running(ctx, thread_id, second["run_id"])
    await runs.cancel_many(thread_id=thread_id, run_ids=[second["run_id"]], action="interrupt")
    await runs.join(thread_id, second["run_id"])
    await runs.get(thread_id, second["run_id"])


@scenario
async def runs_cancel_rollback(ctx: Context) -> None:
    """Cancel with action=rollback deletes the run."""
    runs = ctx.client.runs
    thread_id = await new_thread(ctx)
    run = await runs.create(thread_id, "slow", input=slow_input(5.0, 50))
    await until_running(ctx, thread_id, run["run_id"])
    await runs.cancel(thread_id, run["run_id"], wait=True, action="rollback")
    await ctx.attempt(runs.get(thread_id, run["run_id"]))


@scenario
async def runs_join_stream(ctx: Context) -> None:
    """A resumable background run can be joined as a stream from its first event."""
    runs = ctx.client.runs
    thread_id = await new_thread(ctx)
    run = await runs.create(
        thread_id,
        "chat",
        input=chat_input("join me"),
        stream_resumable=True,
        stream_mode=["values", "updates"],
    )
    await runs.join(thread_id, run["run_id"])
    await drain(runs.join_stream(thread_id, run["run_id"], last_event_id="-1"))


@scenario
async def runs_batch(ctx: Context) -> None:
    """create_batch starts several stateless runs in one request."""
    await ctx.client.runs.create_batch(
        [
            {"assistant_id": "chat", "input": chat_input("first"), "metadata": ctx.tag},
            {"assistant_id": "custom", "input": {"count": 1}, "metadata": ctx.tag},
        ]
    )


@scenario
async def runs_failing(ctx: Context) -> None:
    """A graph that raises: wait returns the error, stream ends with an error event."""
    runs = ctx.client.runs
    thread_id = await new_thread(ctx)
    await ctx.attempt(runs.wait(thread_id, "failing", input={"value": "waited"}))
    await drain(runs.stream(thread_id, "failing", input={"value": "streamed"}))
    run = await runs.create(thread_id, "failing", input={"value": "background"})
    await runs.join(thread_id, run["run_id"])
    await runs.get(thread_id, run["run_id"])
    await ctx.client.threads.get(thread_id)


def _sync_runs(client: SyncLangGraphClient, thread_id: str) -> None:
    runs = client.runs
    runs.wait(thread_id, "chat", input=chat_input("sync wait"))
    list(runs.stream(thread_id, "chat", input=chat_input("sync stream"), stream_mode="updates"))
    run = runs.create(thread_id, "custom", input={"count": 1})
    runs.join(thread_id, run["run_id"])
    runs.list(thread_id)


@scenario
async def runs_sync_client(ctx: Context) -> None:
    """Sync client: wait, stream, create, join and list on one thread."""
    thread_id = await new_thread(ctx)
    await ctx.sync(lambda client: _sync_runs(client, thread_id))


@scenario
async def runs_config_and_context(ctx: Context) -> None:
    """A run's configurable keeps the caller's values (user_id too) and mirrors context, and
    context mirrors the caller's configurable; both at once is a 400."""
    runs = ctx.client.runs
    thread_id = await new_thread(ctx)
    configurable = {"configurable": {"user_id": "caller", "tone": "dry"}}
    await runs.wait(thread_id, "chat", input=chat_input("one"), config=configurable)
    await runs.wait(thread_id, "chat", input=chat_input("two"), context={"tone": "warm"})
    await ctx.attempt(
        runs.wait(
            thread_id, "chat", input=chat_input("three"), config=configurable, context={"a": 1}
        )
    )
    await runs.list(thread_id)
