"""A WebSocket session to an in-process app is recorded as one exchange: frames sent as its
body, frames received as events named by `method` (else `type`), up to the bound."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

from conformance.capture import Recorder
from conformance.websocket import app_connect, capturing

pytestmark = pytest.mark.anyio


async def echo_twice(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Accepts, then answers each text frame with an event and a success, until the client
    leaves."""
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    while (message := await receive())["type"] == "websocket.receive":
        sent = json.loads(message["text"])
        event = {"type": "event", "method": "values", "params": sent}
        await send({"type": "websocket.send", "text": json.dumps(event)})
        answer = {"type": "success", "id": sent["id"]}
        await send({"type": "websocket.send", "text": json.dumps(answer)})


async def test_a_session_is_one_exchange_up_to_the_bound() -> None:
    recorder = Recorder()
    recorder.bound = lambda read: len(read) >= 3
    async with anyio.create_task_group() as group:
        connect = capturing(app_connect(echo_twice, group), recorder)
        async with connect("ws://app.invalid/threads/t/stream/events?x=1") as socket:
            received = []
            for ident in (1, 2):
                await socket.send(json.dumps({"id": ident}))
                async for raw in socket:
                    received.append(json.loads(raw))
                    if received[-1]["type"] == "success":
                        break
        group.cancel_scope.cancel()
    assert len(received) == 4
    [exchange] = recorder.exchanges
    assert exchange["request"] == {
        "method": "WEBSOCKET",
        "path": "/threads/t/stream/events",
        "query": {"x": ["1"]},
        "body": [{"id": 1}, {"id": 2}],
    }
    events = exchange["response"]["events"]
    assert [e["event"] for e in events] == ["values", "success", "values"]
    assert events[2]["data"]["params"] == {"id": 2}


async def test_a_refused_handshake_raises() -> None:
    async def refuse(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.close", "code": 1008})

    async with anyio.create_task_group() as group:
        with pytest.raises(ConnectionRefusedError):
            async with app_connect(refuse, group)("ws://app.invalid/x"):
                pass
