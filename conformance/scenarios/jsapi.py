"""Wire facts found by running langgraphjs's api.test.mts against both servers
(conformance/jsapi): what a run answers for an unknown assistant name, and how a pending
subgraph task points at its checkpoint namespace."""

from __future__ import annotations

from conformance.scenario import Context, scenario
from conformance.scenarios._support import new_thread


@scenario
async def jsapi_run_unknown_assistant(ctx: Context) -> None:
    """A run naming neither an assistant UUID nor a graph: 422 listing the graphs."""
    thread_id = await new_thread(ctx)
    body = {"assistant_id": "no-such-graph", "input": {}}
    await ctx.http.post(f"/threads/{thread_id}/runs/wait", json=body)
    await ctx.http.post(f"/threads/{thread_id}/runs/stream", json=body)
    await ctx.http.post("/runs/wait", json=body)


@scenario
async def jsapi_subgraph_task_checkpoint(ctx: Context) -> None:
    """A pending subgraph task's `checkpoint` is its config: thread and namespace only."""
    thread_id = await new_thread(ctx)
    await ctx.client.runs.wait(thread_id, "subgraph", input={}, interrupt_before=["child"])
    await ctx.client.threads.get_state(thread_id)
    await ctx.client.threads.get_history(thread_id)
