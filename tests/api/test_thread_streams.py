"""The thread-centric stream protocol through a real `skeino serve`, driven by the official
Python SDK's `client.threads.stream()` over SSE and over a WebSocket, and by raw requests where
the wire itself is the point (reconnect with `since`, errors)."""

from __future__ import annotations

import json
import signal
import uuid
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.api.streams_support import (
    command,
    raw_events,
    run_start,
    start,
    stop,
)
from tests.multiprocess.test_kill import ready

pytestmark = pytest.mark.anyio

TRANSPORTS = ["sse", "websocket"]
ALL = ["values", "updates", "messages", "tools", "custom", "lifecycle", "input", "tasks"]
CHAT = {"messages": [{"role": "user", "content": "hi"}]}
REPLY = "You said: hi. That is all I know."


async def collect(source: Any, into: list[Any]) -> None:
    async for item in source:
        into.append(item)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_chat_streams_messages_and_values(
    streams_client: LangGraphClient, transport: str
) -> None:
    async with streams_client.threads.stream(assistant_id="chat", transport=transport) as thread:  # type: ignore[arg-type]
        messages: list[Any] = []
        values: list[Any] = []
        async with anyio.create_task_group() as tg:
            tg.start_soon(collect, thread.messages, messages)
            tg.start_soon(collect, thread.values, values)
            await thread.run.start(input=CHAT)
            with anyio.fail_after(30):
                output = await thread.output
            with anyio.fail_after(10):
                while not (messages and len(values) >= 2):
                    await anyio.sleep(0.05)
            tg.cancel_scope.cancel()
        assert [await m.text for m in messages] == [REPLY]
    assert [m["type"] for m in output["messages"]] == ["human", "ai"]
    assert values[-1]["messages"][-1]["content"] == [{"type": "text", "text": REPLY, "index": 0}]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_interrupt_answered_with_respond(
    streams_client: LangGraphClient, transport: str
) -> None:
    async with streams_client.threads.stream(
        assistant_id="interrupt", transport=transport
    ) as thread:  # type: ignore[arg-type]
        await thread.run.start(input={"topic": "x"})
        with anyio.fail_after(30):
            async for _ in thread.values:
                pass
        assert thread.interrupted
        assert [i["namespace"] for i in thread.interrupts] == [[]]
        assert await thread.run.respond("yes") == {}
        with anyio.fail_after(30):
            output = await thread.output
    assert output == {"topic": "x", "answer": "yes", "log": ["prepare:x", "ask", "act:yes"]}


async def run_to_end(url: str, graph: str, input: Any) -> tuple[str, list[Any]]:
    thread_id = str(uuid.uuid4())
    started = await command(url, thread_id, run_start(graph, input))
    assert started.json()["type"] == "success"
    with anyio.fail_after(30):
        events = await raw_events(url, thread_id, {"channels": ALL}, "lifecycle:completed")
    return thread_id, events


async def test_subgraph_namespaces(streams_server: str) -> None:
    _, events = await run_to_end(streams_server, "subgraph", {"log": []})
    seen = [
        (e["method"], e["params"]["namespace"], e["params"]["data"].get("event")) for e in events
    ]
    child = next(ns for _, ns, _ in seen if ns)
    assert child[0].startswith("child:")
    lifecycles = [(ns, event) for method, ns, event in seen if method == "lifecycle"]
    assert lifecycles == [
        ([], "running"),
        (child, "started"),
        (child, "completed"),
        ([], "completed"),
    ]
    assert ("values", child, None) in seen
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


async def test_custom_events(streams_server: str) -> None:
    _, events = await run_to_end(streams_server, "custom_stream", {"count": 2})
    custom = [e["params"]["data"] for e in events if e["method"] == "custom"]
    assert custom == [{"i": 0}, {"i": 1}]


async def test_reconnect_with_since_loses_and_repeats_nothing(streams_server: str) -> None:
    thread_id, full = await run_to_end(streams_server, "chat", CHAT)
    cut = 7
    async with (
        httpx.AsyncClient(base_url=streams_server, timeout=30) as http,
        http.stream("POST", f"/threads/{thread_id}/stream/events", json={"channels": ALL}) as first,
    ):
        head: list[Any] = []
        async for line in first.aiter_lines():  # dropped after `cut` events
            if line.startswith("data: "):
                head.append(json.loads(line[6:]))
                if len(head) == cut:
                    break
    body = {"channels": ALL, "since": head[-1]["seq"]}
    with anyio.fail_after(30):
        tail = await raw_events(streams_server, thread_id, body, "lifecycle:completed")
    joined = head + tail
    assert [e["event_id"] for e in joined] == [e["event_id"] for e in full]
    assert [e["seq"] for e in joined] == list(range(1, len(full) + 1))


async def test_filters_by_channel_and_namespace(streams_server: str) -> None:
    thread_id, _ = await run_to_end(streams_server, "subgraph", {"log": []})
    body = {"channels": ["values", "lifecycle"], "namespaces": [["child"]], "depth": 0}
    with anyio.fail_after(30):
        events = await raw_events(streams_server, thread_id, body, "lifecycle:completed", False)
    assert {e["params"]["namespace"][0].partition(":")[0] for e in events} == {"child"}
    assert {e["method"] for e in events} == {"values", "lifecycle"}


async def test_command_errors_as_upstream(streams_server: str) -> None:
    thread_id = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=streams_server, timeout=30) as http:
        bad_json = await http.post(f"/threads/{thread_id}/commands", content=b"{")
    assert (bad_json.status_code, bad_json.json()) == (400, {"detail": "Invalid JSON body"})
    malformed = await command(streams_server, thread_id, {"id": "x"})
    assert malformed.status_code == 400
    assert malformed.json()["error"] == "invalid_argument" and malformed.json()["id"] == "x"
    answers = {
        "unknown": {"id": 1, "method": "state.get"},
        "tree": {"id": 2, "method": "agent.getTree"},
        "start": {"id": 3, "method": "run.start", "params": {}},
        "respond": {"id": 4, "method": "input.respond", "params": {"interrupt_id": "nope"}},
        "fork": {
            "id": 5,
            "method": "run.start",
            "params": {"assistant_id": "chat", "config": {"configurable": {"checkpoint_id": "x"}}},
        },
    }
    codes = {}
    for name, body in answers.items():
        found = await command(streams_server, thread_id, body)
        assert found.status_code == 200
        codes[name] = (found.json()["id"], found.json()["error"])
    assert codes == {
        "unknown": (1, "unknown_command"),
        "tree": (2, "no_such_run"),
        "start": (3, "invalid_argument"),
        "respond": (4, "no_such_run"),  # no thread: nothing was interrupted, as upstream
        "fork": (5, "invalid_argument"),
    }
    async with httpx.AsyncClient(base_url=streams_server, timeout=30) as http:
        refused = await http.post(
            f"/threads/{thread_id}/stream/events", json={"channels": ["nope"]}
        )
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("channels contains unsupported entries: nope.")


def ws_url(streams_server: str, path: str) -> str:
    return streams_server.replace("http://", "ws://") + path


async def test_socket_commands_and_events(streams_server: str) -> None:
    thread_id = str(uuid.uuid4())
    async with connect(ws_url(streams_server, f"/threads/{thread_id}/stream/events")) as ws:
        await ws.send(
            json.dumps(
                {"id": 1, "method": "subscription.subscribe", "params": {"channels": ["lifecycle"]}}
            )
        )
        await ws.send("not json")
        start = {"assistant_id": "chat", "input": CHAT}
        await ws.send(json.dumps({"id": 2, "method": "run.start", "params": start}))
        frames: list[Any] = []
        with anyio.fail_after(30):
            while (
                not frames
                or frames[-1].get("params", {}).get("data", {}).get("event") != "completed"
            ):
                frames.append(json.loads(await ws.recv()))
        await ws.send(json.dumps({"id": 3, "method": "agent.getTree"}))
        with anyio.fail_after(30):
            tree = json.loads(await ws.recv())
    answers = [f for f in frames if f["type"] != "event"]
    assert [(a["id"], a["type"]) for a in answers] == [
        (1, "success"),
        (None, "error"),
        (2, "success"),
    ]
    events = [f for f in frames if f["type"] == "event"]
    assert {e["method"] for e in events} == {"lifecycle"}
    assert tree["result"]["tree"] == {"namespace": [], "status": "completed", "graph_name": "chat"}


async def test_first_subscription_answers_before_events(streams_server: str) -> None:
    """As upstream: a socket reads its thread from its first subscription on, so that one is
    answered before any event (none replayed); a later one replays before its answer."""
    thread_id, _ = await run_to_end(streams_server, "chat", CHAT)
    subscribe = {"id": 1, "method": "subscription.subscribe", "params": {"channels": ["lifecycle"]}}
    async with connect(ws_url(streams_server, f"/threads/{thread_id}/stream/events")) as ws:
        await ws.send(json.dumps(subscribe))
        with anyio.fail_after(30):
            frames = [json.loads(await ws.recv()) for _ in range(3)]
        subscribe = {
            "id": 2,
            "method": "subscription.subscribe",
            "params": {"channels": ["values"]},
        }
        await ws.send(json.dumps(subscribe))
        with anyio.fail_after(30):
            frames += [json.loads(await ws.recv()) for _ in range(3)]
    seen = [(f["type"], f.get("id"), f.get("result", {}).get("replayed_events")) for f in frames]
    assert seen == [
        ("success", 1, 0),
        ("event", None, None),
        ("event", None, None),
        ("event", None, None),
        ("event", None, None),
        ("success", 2, 2),
    ]
    assert frames[0]["meta"] == {"applied_through_seq": 0}


@pytest.mark.parametrize("path", ["/nope", "/threads/not-a-uuid/stream/events", "/threads"])
async def test_other_socket_paths_are_refused(streams_server: str, path: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(ws_url(streams_server, path)):
            pass
    assert refused.value.response.status_code == 403


async def test_shutdown_closes_sockets_cleanly(tmp_path: Path) -> None:
    proc, url = start(tmp_path)
    try:
        with anyio.fail_after(30):
            await ready(url)
        async with connect(ws_url(url, f"/threads/{uuid.uuid4()}/stream/events")) as ws:
            proc.send_signal(signal.SIGTERM)
            with pytest.raises(ConnectionClosed), anyio.fail_after(20):
                await ws.recv()
        assert ws.close_code == 1001
        with anyio.fail_after(20):
            while proc.poll() is None:
                await anyio.sleep(0.1)
        assert proc.returncode == 0
    finally:
        stop(proc)
