"""Human in the loop: interrupt(), resume with Command, interrupt_before/after."""

from __future__ import annotations

from conformance.scenario import Context, scenario
from conformance.scenarios._support import drain, new_thread


@scenario
async def interrupt_resume(ctx: Context) -> None:
    """interrupt() pauses the run (thread status interrupted); Command(resume=...) finishes it."""
    runs, threads = ctx.client.runs, ctx.client.threads
    thread_id = await new_thread(ctx)
    await drain(
        runs.stream(
            thread_id, "interrupt", input={"topic": "deploy"}, stream_mode=["values", "updates"]
        )
    )
    await threads.get(thread_id)
    await threads.get_state(thread_id)
    await runs.wait(thread_id, "interrupt", command={"resume": "yes"})
    await threads.get(thread_id)
    await threads.get_state(thread_id)


@scenario
async def interrupt_wait(ctx: Context) -> None:
    """runs.wait on an interrupting graph returns values with __interrupt__; resume by stream."""
    runs = ctx.client.runs
    thread_id = await new_thread(ctx)
    await runs.wait(thread_id, "interrupt", input={"topic": "wait"})
    await drain(
        runs.stream(thread_id, "interrupt", command={"resume": "ok"}, stream_mode="updates")
    )


@scenario
async def interrupt_before_after(ctx: Context) -> None:
    """interrupt_before / interrupt_after pause at node boundaries; input=None continues."""
    runs, threads = ctx.client.runs, ctx.client.threads
    thread_id = await new_thread(ctx)
    await runs.wait(
        thread_id,
        "chat",
        input={"messages": [{"role": "user", "content": "pause"}]},
        interrupt_before=["agent"],
    )
    await threads.get_state(thread_id)
    await runs.wait(thread_id, "chat", input=None)
    other = await new_thread(ctx)
    await runs.wait(other, "slow", input={"delay": 0.01, "steps": 1}, interrupt_after=["work"])
    await threads.get_state(other)
    await runs.wait(other, "slow", input=None)
