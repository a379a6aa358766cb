"""Cron jobs; the official dev server supports them (a server without crons fails these)."""

from __future__ import annotations

from conformance.scenario import Context, scenario
from conformance.scenarios._support import FAR_FUTURE_CRON, chat_input, new_thread


@scenario
async def crons_thread(ctx: Context) -> None:
    """A cron on a thread: create, search, count, update, delete."""
    crons = ctx.client.crons
    thread_id = await new_thread(ctx)
    cron = await crons.create_for_thread(
        thread_id, "chat", schedule=FAR_FUTURE_CRON, input=chat_input("tick"), metadata=ctx.tag
    )
    await crons.search(thread_id=thread_id)
    await crons.count(thread_id=thread_id)
    await crons.update(cron["cron_id"], schedule="0 0 2 1 *", enabled=False)
    await crons.search(
        thread_id=thread_id, enabled=False, select=["cron_id", "schedule", "enabled"]
    )
    await crons.delete(cron["cron_id"])
    await crons.count(thread_id=thread_id)


@scenario
async def crons_stateless(ctx: Context) -> None:
    """A stateless cron: create, search by metadata, delete, 404 on second delete."""
    crons = ctx.client.crons
    cron = await crons.create(
        "custom", schedule=FAR_FUTURE_CRON, input={"count": 1}, metadata=ctx.tag
    )
    await crons.search(metadata=ctx.tag, sort_by="created_at", sort_order="asc")
    await crons.count(metadata=ctx.tag)
    await crons.delete(cron["cron_id"])
    await ctx.attempt(crons.delete(cron["cron_id"]))
