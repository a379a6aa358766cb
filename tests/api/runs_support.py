"""Helpers shared by the runs tests: wait for a status, read a thread's history."""

from __future__ import annotations

from typing import Any

import anyio
from langgraph_sdk.client import LangGraphClient

STEP = 0.02


async def until_status(client: LangGraphClient, thread_id: str, run_id: str, *wanted: str) -> Any:
    """Poll (bounded: 10 s) until the run is in one of `wanted`."""
    with anyio.fail_after(10):
        while True:
            run = await client.runs.get(thread_id, run_id)
            if run["status"] in wanted:
                return run
            await anyio.sleep(STEP)


async def run_ids_in_history(client: LangGraphClient, thread_id: str) -> set[str]:
    history = await client.threads.get_history(thread_id, limit=100)
    return {state["metadata"].get("run_id") for state in history}


async def until_working(client: LangGraphClient, thread_id: str, run_id: str) -> None:
    """Until the slow graph's run is inside its `work` node (its own first checkpoint is
    saved: an earlier cancelled run may have left the thread at `work` too)."""
    await until_status(client, thread_id, run_id, "running")
    with anyio.fail_after(10):
        while True:
            state = await client.threads.get_state(thread_id)
            if state["next"] == ["work"] and (state["metadata"] or {}).get("run_id") == run_id:
                return
            await anyio.sleep(STEP)
