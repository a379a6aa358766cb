"""Small helpers the scenario modules share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from conformance.scenario import Context

FAR_FUTURE_CRON = "0 0 1 1 *"
"""Once a year on 1 January: a cron that never fires while a scenario runs."""


def chat_input(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


def slow_input(delay: float = 0.6, steps: int = 3) -> dict[str, Any]:
    return {"delay": delay, "steps": steps}


async def new_thread(ctx: Context, **extra: Any) -> str:
    """A thread tagged with this run's tag, so searches only find what this run made."""
    thread = await ctx.client.threads.create(
        metadata={**ctx.tag, **extra.pop("metadata", {})}, **extra
    )
    return str(thread["thread_id"])


async def until_running(ctx: Context, thread_id: str, run_id: str) -> None:
    """Wait until the run is running and its input checkpoint is saved.

    Before that, what cancel/join return (the thread's values) depends on timing.
    """

    async def started() -> bool:
        run = await ctx.client.runs.get(thread_id, run_id)
        state = await ctx.client.threads.get_state(thread_id)
        return run["status"] == "running" and bool(state["values"])

    await ctx.poll(started)


async def drain(parts: AsyncIterator[Any]) -> list[Any]:
    """Consume a stream to its end (the capture records the events)."""
    return [part async for part in parts]
