"""A second run on a busy thread, under each multitask strategy."""

from __future__ import annotations

from typing import Any

from conformance.scenario import Context, register
from conformance.scenarios._support import new_thread, slow_input, until_running


async def _busy_thread(ctx: Context) -> tuple[str, str]:
    """A thread whose first run is running (not merely pending) when the next one arrives."""
    thread_id = await new_thread(ctx)
    first = await ctx.client.runs.create(thread_id, "slow", input=slow_input(1.5, 15))
    await until_running(ctx, thread_id, first["run_id"])
    return thread_id, first["run_id"]


def _strategy(strategy: str) -> Any:
    async def body(ctx: Context) -> None:
        runs = ctx.client.runs
        thread_id, first = await _busy_thread(ctx)
        create = runs.create(
            thread_id, "slow", input=slow_input(0.05, 1), multitask_strategy=strategy
        )
        if strategy == "reject":
            await ctx.attempt(create)
            await runs.join(thread_id, first)
        else:
            second = await create
            await runs.join(thread_id, second["run_id"])
            await ctx.attempt(runs.get(thread_id, first))
        await runs.list(thread_id)
        await ctx.client.threads.get_state(thread_id)

    body.__doc__ = f"multitask_strategy={strategy} while the thread's first run is running."
    return body


for _strategy_name in ("reject", "enqueue", "interrupt", "rollback"):
    register(f"multitask_{_strategy_name}", _strategy(_strategy_name), "multitask")
