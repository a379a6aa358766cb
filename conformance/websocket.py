"""Record a WebSocket session as an exchange, and open one to an in-process ASGI app.

The SDK's WebSocket transport connects with `websockets` itself (not through httpx), so
its sessions are captured by wrapping the `connect` it calls. A session is recorded as
a `WEBSOCKET` request whose body is the list of frames sent, answered by `101` and the
frames received as events (named by their `method`, else their `type`), so pairing,
normalisation, bounds and the event-by-event comparison are those of SSE.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
from anyio.abc import TaskGroup
from websockets.asyncio.client import connect as network_connect

from conformance.capture import Bound, Exchange, Recorder
from conformance.sse import parse_data

Connect = Callable[..., Any]


def _frame_event(raw: str | bytes) -> dict[str, Any]:
    data = parse_data(raw if isinstance(raw, str) else raw.decode("utf-8", "replace"))
    name = data.get("method") or data.get("type") if isinstance(data, dict) else None
    return {"event": str(name or "message"), "data": data}


class CapturedSocket:
    """A client connection whose frames both ways are recorded into one exchange."""

    def __init__(self, inner: Any, exchange: Exchange, bound: Bound | None) -> None:
        self._inner, self._exchange, self._bound = inner, exchange, bound
        self._handed = False

    async def send(self, message: str | bytes) -> None:
        self._exchange["request"]["body"].append(_frame_event(message)["data"])
        await self._inner.send(message)

    async def __aiter__(self) -> AsyncIterator[str | bytes]:
        events = self._exchange["response"]["events"]
        async for raw in self._inner:
            if not self._handed:
                events.append(_frame_event(raw))
                self._handed = self._bound is not None and self._bound(events)
            yield raw

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._inner.close(code=code, reason=reason)


def capturing(connect: Connect, recorder: Recorder) -> Connect:
    """`connect` whose sessions go into `recorder` (bounded by its bound at connect time)."""

    @asynccontextmanager
    async def captured(url: str, **options: Any) -> AsyncIterator[CapturedSocket]:
        async with connect(url, **options) as socket:
            parts = urlsplit(url)
            request = {
                "method": "WEBSOCKET",
                "path": parts.path,
                "query": parse_qs(parts.query),
                "body": [],
            }
            response = {"status": 101, "headers": {}, "events": []}
            exchange = recorder.add(request)
            exchange["response"] = response
            yield CapturedSocket(socket, exchange, recorder.bound)

    return captured


class AppSocket:
    """The client end of a WebSocket to an ASGI app running in `task_group`: the subset of
    a `websockets` connection the SDK uses (send, async iteration, close)."""

    def __init__(self, app: Any, task_group: TaskGroup, url: str) -> None:
        self._app, self._task_group, self._url = app, task_group, url
        self._to_app, self._app_inbox = anyio.create_memory_object_stream[dict[str, Any]](math.inf)
        self._to_client, self._inbox = anyio.create_memory_object_stream[dict[str, Any]](math.inf)
        self._scope = anyio.CancelScope()

    async def open(self) -> None:
        """Start the app and wait for it to accept (anything else refuses the handshake)."""
        parts = urlsplit(self._url)
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "path": parts.path,
            "raw_path": parts.path.encode(),
            "query_string": parts.query.encode(),
            "headers": [(b"host", (parts.hostname or "").encode())],
            "subprotocols": [],
            "client": ("127.0.0.1", 123),
            "server": (parts.hostname, parts.port or 80),
        }
        self._task_group.start_soon(self._run, scope)
        await self._to_app.send({"type": "websocket.connect"})
        first = await self._inbox.receive()
        if first["type"] != "websocket.accept":
            raise ConnectionRefusedError(f"the app answered the handshake with {first['type']}")

    async def _run(self, scope: dict[str, Any]) -> None:
        with self._scope, self._to_client, self._app_inbox:
            await self._app(scope, self._app_inbox.receive, self._to_client.send)

    async def send(self, message: str | bytes) -> None:
        key = "text" if isinstance(message, str) else "bytes"
        await self._to_app.send({"type": "websocket.receive", key: message})

    async def __aiter__(self) -> AsyncIterator[str | bytes]:
        async for message in self._inbox:
            if message["type"] == "websocket.close":
                return
            if message["type"] == "websocket.send":
                yield message.get("text") or message.get("bytes") or ""

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Tell the app the client left (unless it is gone already), then stop it."""
        with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
            self._to_app.send_nowait({"type": "websocket.disconnect", "code": code})
        self._scope.cancel()
        self._inbox.close()
        self._to_app.close()


def app_connect(app: Any, task_group: TaskGroup) -> Connect:
    """A `connect` that opens WebSockets to an in-process ASGI app."""

    @asynccontextmanager
    async def connect(url: str, **_: Any) -> AsyncIterator[AppSocket]:
        socket = AppSocket(app, task_group, url)
        try:
            await socket.open()
            yield socket
        finally:
            await socket.close()

    return connect


def connect_for(app: Any, task_group: TaskGroup) -> Connect:
    """Over the network for a URL target, in-process for an app."""
    return network_connect if app is None else app_connect(app, task_group)
