"""The thread-centric protocol's commands (`POST /threads/{id}/commands`): run.start on a new
thread, an interrupt answered with input.respond, and the protocol's error envelopes.

The events of a thread (`POST /threads/{id}/stream/events`, and the legacy
`GET /threads/{id}/stream`) never end by themselves: those scenarios read them through
`client.threads.stream` under `ctx.bounded(...)`, which records each stream up to the
lifecycle event that ends what the scenario waits for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from langgraph_sdk._async.stream import AsyncThreadStream

from conformance.capture import Bound
from conformance.scenario import Context, scenario
from conformance.scenarios._support import chat_input, new_thread


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


def root_lifecycle(*events: str) -> Bound:
    """A bound: the root graph's lifecycle events named in `events` have all been read, in
    order (`lifecycle` with an empty namespace; `values` and other channels pass by)."""

    def reached(read: list[dict[str, Any]]) -> bool:
        seen = [
            event["data"]["params"]["data"].get("event")
            for event in read
            if isinstance(event["data"], dict)
            and event["data"].get("method") == "lifecycle"
            and event["data"]["params"].get("namespace") == []
        ]
        return seen[-len(events) :] == list(events) and len(seen) >= len(events)

    return reached


async def sent(ctx: Context, count: int) -> None:
    """Wait until the SDK's own tasks sent `count` recorded requests, so the next one
    goes out after them (request order is part of what is compared)."""
    with anyio.fail_after(10):
        while len(ctx.recorder.exchanges) < count:
            await anyio.sleep(0.01)


async def read_until_root(events: AsyncIterator[Any], *lifecycle: str) -> list[Any]:
    """Read events until the root lifecycle events `lifecycle` have passed."""
    read: list[Any] = []
    wanted = list(lifecycle)
    with anyio.fail_after(30):
        async for event in events:
            read.append(event)
            params = event.get("params", {})
            root = event.get("method") == "lifecycle" and params.get("namespace") == []
            if root and params["data"].get("event") == wanted[0]:
                wanted.pop(0)
            if not wanted:
                break
    return read


@asynccontextmanager
async def thread_stream(
    ctx: Context, graph: str, transport: str, *lifecycle: str
) -> AsyncIterator[AsyncThreadStream]:
    """`client.threads.stream` over `transport`, its event streams bounded by the root
    lifecycle events `lifecycle`."""
    async with (
        ctx.bounded(root_lifecycle(*lifecycle)),
        ctx.client.threads.stream(assistant_id=graph, transport=transport) as thread,  # type: ignore[arg-type]
    ):
        if transport == "websocket":  # the SDK has no public hook for how it connects
            thread._transport._connect = ctx.websocket_connect  # type: ignore[union-attr]
        yield thread


async def _chat(ctx: Context, transport: str) -> None:
    async with thread_stream(ctx, "chat", transport, "completed") as thread:
        await thread.run.start(input=chat_input("stream"), metadata={"conformance": "thread"})
        await sent(ctx, 2)
        await read_until_root(thread.events, "completed")
        await thread.output


async def _interrupt(ctx: Context, transport: str) -> None:
    async with thread_stream(
        ctx, "interrupt", transport, "interrupted", "running", "completed"
    ) as thread:
        await thread.run.start(input={"topic": "stream"})
        await sent(ctx, 2)
        events = thread.events
        await read_until_root(events, "interrupted")
        with anyio.fail_after(10):
            while not thread.interrupted:  # the SDK's own lifecycle watcher saw it too
                await anyio.sleep(0.01)
        await thread.run.respond("yes")
        await read_until_root(events, "running", "completed")
        await thread.output


@scenario
async def thread_stream_sdk_chat(ctx: Context) -> None:
    """client.threads.stream over SSE: every channel of a chat run (thread.events) and the
    SDK's own lifecycle watcher."""
    await _chat(ctx, "sse")


@scenario
async def thread_stream_sdk_interrupt(ctx: Context) -> None:
    """client.threads.stream over SSE: an interrupt seen on the input channel, answered with
    input.respond, and the resumed run's values to its end."""
    await _interrupt(ctx, "sse")


@scenario
async def thread_stream_ws_chat(ctx: Context) -> None:
    """client.threads.stream over a WebSocket: the chat run's frames, as over SSE."""
    await _chat(ctx, "websocket")


@scenario
async def thread_stream_ws_interrupt(ctx: Context) -> None:
    """client.threads.stream over a WebSocket: the interrupt and input.respond, as over SSE."""
    await _interrupt(ctx, "websocket")


def run_done(read: list[dict[str, Any]]) -> bool:
    """A bound: the legacy thread stream said a run is done (`metadata` with `run_done`)."""
    return any(isinstance(e["data"], dict) and e["data"].get("status") == "run_done" for e in read)


@scenario
async def thread_stream_legacy_lifecycle(ctx: Context) -> None:
    """GET /threads/{id}/stream with stream_modes=lifecycle: a run's start and its end."""
    thread_id = await new_thread(ctx)
    query = {"stream_modes": "lifecycle"}
    async with (
        ctx.bounded(run_done),
        ctx.http.stream("GET", f"/threads/{thread_id}/stream", params=query) as stream,
    ):
        run = await ctx.client.runs.create(thread_id, "chat", input=chat_input("legacy"))
        read: list[Any] = []
        with anyio.fail_after(30):
            async for line in stream.aiter_lines():
                read.append(line)
                if "run_done" in line:
                    break
    await ctx.client.runs.join(thread_id, run["run_id"])
