"""Server-sent events framed byte for byte as the official Agent Server writes them.

Each event is `event: <name>\\r\\ndata: <json>\\r\\n[id: <id>\\r\\n]\\r\\n`; while a stream is
open a `: heartbeat\\r\\n\\r\\n` comment goes out on a fixed 5 s ticker (it does not reset
when an event is written). `EventStreamResponse` writes a source of events, heartbeats
concurrently, and stops the source as soon as the client disconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping
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
        # asyncio's own lock and sleep(0) on this per-event path: anyio's equivalents cost
        # about 15% of events/s here (measured), and the server always runs on asyncio.
        lock = asyncio.Lock()  # the heartbeat never interleaves with a write
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


# Frames written in one body chunk at most: bounds a chunk's size and the first byte's delay.
MAX_BATCH = 512


async def _pump(events: AsyncIterator[Item], send: Send, lock: asyncio.Lock) -> None:
    """Write the source's events, every event it has ready going out as one body chunk.

    After each event the source is stepped once more by hand: if the next event is ready
    (the step finishes without suspending) it joins the chunk; if the step would wait, the
    chunk is written first and then the step is awaited where it left off. The source is
    never read ahead while a write is in progress, so back-pressure is as with one write per
    event.
    """
    pending: _Resumed | None = None
    while True:
        try:
            item = await (pending if pending is not None else events.__anext__())
        except StopAsyncIteration:
            return
        pending = None
        chunks = [frame(item)]
        await asyncio.sleep(0)  # one loop turn: let the producer queue what it has
        ended = False
        failure: Exception | None = None
        while len(chunks) < MAX_BATCH:
            step = events.__anext__()
            try:
                signal = step.send(None)  # type: ignore[attr-defined]
            except StopIteration as ready:
                chunks.append(frame(ready.value))
                continue
            except StopAsyncIteration:
                ended = True
            except Exception as exc:  # the events before the failure still go out
                failure = exc
            else:
                pending = _Resumed(step, signal)
            break
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        try:
            async with lock:
                await send({"type": "http.response.body", "body": body, "more_body": True})
        except BaseException:
            if pending is not None:
                pending.abandon()
            raise
        if failure is not None:
            raise failure
        if ended:
            return


class _Resumed:
    """Awaits a started `__anext__` step from where its first `send(None)` suspended."""

    __slots__ = ("signal", "step")

    def __init__(self, step: Any, signal: Any) -> None:
        self.step = step
        self.signal = signal

    def __await__(self) -> Generator[Any, Any, Any]:
        step, signal = self.step, self.signal
        while True:
            try:
                sent = yield signal
            except GeneratorExit:
                self.abandon()
                raise
            except BaseException as exc:  # cancellation reaches the source where it waits
                try:
                    signal = step.throw(exc)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    signal = step.send(sent)
                except StopIteration as done:
                    return done.value

    def abandon(self) -> None:
        """Unwind a step that will never be awaited (the write failed or was cancelled)."""
        with contextlib.suppress(BaseException):
            self.step.throw(GeneratorExit)


async def _heartbeat(
    send: Send, lock: asyncio.Lock, interval: float, gone: Callable[[], None]
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
