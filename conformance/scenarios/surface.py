"""Routes the SDK has no method for yet: a cron by id, and a thread's checkpoint storage."""

from __future__ import annotations

from conformance.scenario import Context, scenario
from conformance.scenarios._support import FAR_FUTURE_CRON, chat_input, new_thread

MISSING = "00000000-0000-0000-0000-000000000000"


@scenario
async def surface_cron_get(ctx: Context) -> None:
    """GET /runs/crons/{cron_id}: a thread cron and a stateless one as created, after an
    update, 404 once deleted, 422 for a malformed id."""
    crons = ctx.client.crons
    thread_id = await new_thread(ctx)
    cron = await crons.create_for_thread(
        thread_id, "chat", schedule=FAR_FUTURE_CRON, input=chat_input("tick"), metadata=ctx.tag
    )
    await ctx.http.get(f"/runs/crons/{cron['cron_id']}")
    await crons.update(cron["cron_id"], enabled=False)
    await ctx.http.get(f"/runs/crons/{cron['cron_id']}")
    stateless = await crons.create(
        "custom", schedule=FAR_FUTURE_CRON, input={"count": 1}, metadata=ctx.tag
    )
    await ctx.http.get(f"/runs/crons/{stateless['cron_id']}")
    await crons.delete(stateless["cron_id"])
    await crons.delete(cron["cron_id"])
    await ctx.http.get(f"/runs/crons/{cron['cron_id']}")
    await ctx.http.get("/runs/crons/not-a-uuid")


@scenario
async def surface_thread_storage(ctx: Context) -> None:
    """GET /threads/{id}/storage: a new thread occupies nothing; a missing thread is 404,
    a malformed id 422. (Byte counts after a run differ by backend, so none is compared.)"""
    thread_id = await new_thread(ctx)
    await ctx.http.get(f"/threads/{thread_id}/storage")
    await ctx.http.get(f"/threads/{MISSING}/storage")
    await ctx.http.get("/threads/not-a-uuid/storage")
