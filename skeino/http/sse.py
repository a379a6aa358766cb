"""Server-sent events framed byte for byte as the official Agent Server writes them.

Each event is `event: <name>\\r\\ndata: <json>\\r\\n[id: <id>\\r\\n]\\r\\n`; while a stream is
open a `: heartbeat\\r\\n\\r\\n` comment goes out on a fixed 5 s ticker (it does not reset
when an event is written). `EventStreamResponse` writes a source of events, heartbeats
concurrently, and stops the source as soon as the client disconnects.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import anyio

from skeino.http.responses import dumps
from skeino.runs.events import EncodedEvent, StreamEvent
from skeino.types import Receive, Scope, Send

HEARTBEAT = b": heartbeat\r\n\r\n"
HEARTBEAT_INTERVAL = 5.0
# Time a source gets to run its cleanup after a disconnect before it is abandoned.
CLOSE_TIMEOUT = 5.0

SSE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"cache-control", b"no-store"),
    (b"x-accel-buffering", b"no"),
    (b"content-type", b"text/event-stream; charset=utf-8"),
)

Item = bytes | StreamEvent | EncodedEvent


def encode_event(event: str, data_json: bytes, event_id: str | None = None) -> bytes:
    """One framed event; `data_json` must be single-line JSON (orjson never breaks lines)."""
    frame = b"event: " + event.encode() + b"\r\ndata: " + data_json + b"\r\n"
    if event_id is not None:
        frame += b"id: " + event_id.encode() + b"\r\n"
    return frame + b"\r\n"


def stream_headers(
    location: str | None = None, content_location: str | None = None
) -> list[tuple[bytes, bytes]]:
    """Headers of a run stream; `location` is the stream URL, `content-location` the run's."""
    headers: list[tuple[bytes, bytes]] = []
    if location is not None:
        headers.append((b"location", location.encode("latin-1")))
    if content_location is not None:
        headers.append((b"content-location", content_location.encode("latin-1")))
    headers.extend(SSE_HEADERS)
    return headers


def frame(item: Item) -> bytes:
    """Bytes pass through untouched: they are already framed (e.g. with an event id)."""
    if isinstance(item, bytes):
        return item
    if isinstance(item, StreamEvent):
        return encode_event(item.event, dumps(item.data))
    return encode_event(item.event, item.data)


class EventStreamResponse:
    """An ASGI `text/event-stream` response over an async iterator of events.

    A source that raises ends the body cleanly; the exception is re-raised afterwards so it
    is not lost. On client disconnect the source is cancelled and closed, `on_disconnect`
    is awaited and the call returns normally.
    """

    __slots__ = ("events", "headers", "heartbeat_interval", "on_disconnect", "status")

    def __init__(
        self,
        events: AsyncIterator[Item],
        headers: list[tuple[bytes, bytes]] | Mapping[str, str] | None = None,
        heartbeat_interval: float = HEARTBEAT_INTERVAL,
        on_disconnect: Callable[[], Awaitable[Any]] | None = None,
        status: int = 200,
    ) -> None:
        self.events = events
        if headers is None:
            headers = stream_headers()
        elif isinstance(headers, Mapping):
            raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
            headers = raw + list(SSE_HEADERS)
        self.headers = headers
        self.heartbeat_interval = heartbeat_interval
        self.on_disconnect = on_disconnect
        self.status = status

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        lock = anyio.Lock(fast_acquire=True)
        disconnected = anyio.Event()
        failure: Exception | None = None
        async with anyio.create_task_group() as tg:

            def gone() -> None:
                disconnected.set()
                tg.cancel_scope.cancel()

            tg.start_soon(_watch_disconnect, receive, gone)
            if self.heartbeat_interval > 0:
                tg.start_soon(_heartbeat, send, lock, self.heartbeat_interval, gone)
            try:
                await _pump(self.events, send, lock)
            except OSError:
                disconnected.set()  # the server could not write: the client is gone
            except Exception as exc:
                failure = exc
            finally:
                await _close(self.events)
            tg.cancel_scope.cancel()
        if disconnected.is_set():
            if self.on_disconnect is not None:
                await self.on_disconnect()
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        if failure is not None:
            raise failure


async def _pump(events: AsyncIterator[Item], send: Send, lock: anyio.Lock) -> None:
    async for item in events:
        body = frame(item)
        async with lock:
            await send({"type": "http.response.body", "body": body, "more_body": True})


async def _heartbeat(
    send: Send, lock: anyio.Lock, interval: float, gone: Callable[[], None]
) -> None:
    try:
        while True:
            await anyio.sleep(interval)
            async with lock:
                await send({"type": "http.response.body", "body": HEARTBEAT, "more_body": True})
    except OSError:
        gone()


async def _watch_disconnect(receive: Receive, gone: Callable[[], None]) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    gone()


async def _close(events: AsyncIterator[Item]) -> None:
    """Let an async generator run its `finally` even though our scope may be cancelled."""
    aclose = getattr(events, "aclose", None)
    if aclose is None:
        return
    with anyio.move_on_after(CLOSE_TIMEOUT, shield=True), contextlib.suppress(Exception):
        await aclose()
