"""The thread-centric protocol's commands (`POST /threads/{id}/commands`): run.start on a new
thread, an interrupt answered with input.respond, and the protocol's error envelopes.

The events of a thread (`POST /threads/{id}/stream/events`) never end by themselves, so
only their refusals are recorded here (see "Known gaps" in the README).
"""

from __future__ import annotations

from typing import Any

from conformance.scenario import Context, scenario
from conformance.scenarios._support import chat_input


async def _command(ctx: Context, thread_id: str, body: Any) -> Any:
    response = await ctx.http.post(f"/threads/{thread_id}/commands", json=body)
    return response.json()


def _start(graph: str, input: Any, ident: int = 1) -> dict[str, Any]:
    params = {"assistant_id": graph, "input": input, "metadata": {"conformance": "thread"}}
    return {"id": ident, "method": "run.start", "params": params}


async def _ended(ctx: Context, thread_id: str, run_id: str) -> None:
    """Wait (unrecorded) until the run ended: upstream's join of a protocol run still under
    way answers its last `values` event, of an ended one the thread's values."""

    async def ended() -> bool:
        run = await ctx.client.runs.get(thread_id, run_id)
        return run["status"] not in ("pending", "running")

    await ctx.poll(ended)
    await ctx.client.runs.join(thread_id, run_id)


@scenario
async def thread_commands_run_start(ctx: Context) -> None:
    """run.start creates the thread (with the run's metadata) and queues a protocol run."""
    thread_id = ctx.new_id()
    started = await _command(ctx, thread_id, _start("chat", chat_input("protocol")))
    await _ended(ctx, thread_id, started["result"]["run_id"])
    await ctx.client.threads.get(thread_id)
    again = await _command(ctx, thread_id, _start("chat", chat_input("again"), 2))
    await _ended(ctx, thread_id, again["result"]["run_id"])
    await ctx.client.threads.get_state(thread_id)
    await ctx.client.runs.list(thread_id)


@scenario
async def thread_commands_input_respond(ctx: Context) -> None:
    """An interrupted protocol run is answered with input.respond (a resume run)."""
    thread_id = ctx.new_id()
    started = await _command(ctx, thread_id, _start("interrupt", {"topic": "protocol"}))
    await _ended(ctx, thread_id, started["result"]["run_id"])
    state = await ctx.client.threads.get_state(thread_id)
    interrupt_id = state["interrupts"][0]["id"]
    wrong = {"interrupt_id": "not-pending", "namespace": [], "response": "no"}
    await _command(ctx, thread_id, {"id": 2, "method": "input.respond", "params": wrong})
    answer = {"interrupt_id": interrupt_id, "namespace": [], "response": "yes"}
    await _command(ctx, thread_id, {"id": 3, "method": "input.respond", "params": answer})

    async def resumed() -> bool:
        runs = await ctx.client.runs.list(thread_id)
        return len(runs) == 2 and runs[0]["status"] == "success"

    await ctx.poll(resumed)
    runs = await ctx.client.runs.list(thread_id)
    await _ended(ctx, thread_id, runs[0]["run_id"])
    await ctx.client.threads.get_state(thread_id)


ERRORS: list[Any] = [
    {"id": "x", "method": "run.start"},
    {"id": 1},
    {"id": 2, "method": "no.such.command"},
    {"id": 3, "method": "agent.getTree", "params": {}},
    {"id": 4, "method": "subscription.subscribe", "params": {"channels": ["values"]}},
    {"id": 5, "method": "subscription.subscribe", "params": {"channels": ["nope"]}},
    {"id": 6, "method": "subscription.unsubscribe", "params": {"subscription_id": "s"}},
    {"id": 7, "method": "subscription.reconnect", "params": {"channels": ["values"]}},
    {"id": 8, "method": "run.start", "params": {}},
    {
        "id": 9,
        "method": "run.start",
        "params": {"assistant_id": "chat", "config": {"configurable": {"checkpoint_id": "x"}}},
    },
    {"id": 10, "method": "run.start", "params": {"assistant_id": "chat", "langsmith_tracer": 1}},
    {"id": 11, "method": "input.respond", "params": {}},
    {"id": 12, "method": "input.respond", "params": {"interrupt_id": "i", "namespace": "x"}},
    {"id": 13, "method": "input.respond", "params": {"responses": []}},
    {"id": 14, "method": "input.respond", "params": {"interrupt_id": "i"}},
]


@scenario
async def thread_commands_errors(ctx: Context) -> None:
    """Malformed and unknown commands, commands without a session, refused event filters."""
    thread_id = ctx.new_id()
    await ctx.http.post(f"/threads/{thread_id}/commands", content=b"{not json")
    for body in ERRORS:
        await _command(ctx, thread_id, body)
    for body in ({}, {"channels": []}, {"channels": ["values", "nope", 3]}):
        await ctx.http.post(f"/threads/{thread_id}/stream/events", json=body)
