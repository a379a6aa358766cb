"""SSE framing as on the official wire, heartbeats while idle, and disconnects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from skeino.http.sse import (
    HEARTBEAT,
    EventStreamResponse,
    Item,
    encode_event,
    stream_headers,
)
from skeino.runs.events import StreamEvent

pytestmark = pytest.mark.anyio


def test_frames_use_crlf_and_optional_ids() -> None:
    assert encode_event("values", b'{"a":1}') == b'event: values\r\ndata: {"a":1}\r\n\r\n'
    assert encode_event("metadata", b"{}", "1795265346272-0") == (
        b"event: metadata\r\ndata: {}\r\nid: 1795265346272-0\r\n\r\n"
    )
    assert HEARTBEAT == b": heartbeat\r\n\r\n"


def test_stream_headers() -> None:
    assert stream_headers("/runs/r/stream", "/runs/r") == [
        (b"location", b"/runs/r/stream"),
        (b"content-location", b"/runs/r"),
        (b"cache-control", b"no-store"),
        (b"x-accel-buffering", b"no"),
        (b"content-type", b"text/event-stream; charset=utf-8"),
    ]


class Recorder:
    """An ASGI peer: records what was sent; `receive` reports a disconnect when told to."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.gone = anyio.Event()

    async def send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)

    async def receive(self) -> dict[str, Any]:
        await self.gone.wait()
        return {"type": "http.disconnect"}

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages[1:])


async def serve(response: EventStreamResponse, peer: Recorder) -> None:
    with anyio.fail_after(5):
        await response({"type": "http"}, peer.receive, peer.send)


async def test_writes_events_then_ends_the_body() -> None:
    async def events() -> AsyncIterator[Item]:
        yield StreamEvent("metadata", {"run_id": "r", "attempt": 1})
        yield StreamEvent("values", {"x": 1}).encode()
        yield encode_event("values", b'{"x":2}', "7-0")

    peer = Recorder()
    await serve(EventStreamResponse(events(), stream_headers()), peer)
    assert peer.messages[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": stream_headers(),
    }
    assert peer.body == (
        b'event: metadata\r\ndata: {"run_id":"r","attempt":1}\r\n\r\n'
        b'event: values\r\ndata: {"x":1}\r\n\r\n'
        b'event: values\r\ndata: {"x":2}\r\nid: 7-0\r\n\r\n'
    )
    assert peer.messages[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


async def test_heartbeats_while_the_source_is_idle() -> None:
    async def events() -> AsyncIterator[Item]:
        yield StreamEvent("values", {})
        await anyio.sleep(0.35)
        yield StreamEvent("values", {})

    peer = Recorder()
    await serve(EventStreamResponse(events(), heartbeat_interval=0.1), peer)
    chunks = [m["body"] for m in peer.messages[1:-1]]
    assert chunks[0].startswith(b"event: values") and chunks[-1].startswith(b"event: values")
    assert chunks[1:-1] == [HEARTBEAT] * len(chunks[1:-1])
    assert 2 <= len(chunks[1:-1]) <= 4


async def test_disconnect_cancels_and_closes_the_source() -> None:
    closed = anyio.Event()
    called: list[bool] = []

    async def events() -> AsyncIterator[Item]:
        try:
            yield StreamEvent("values", {})
            await anyio.sleep_forever()
        finally:
            closed.set()

    async def on_disconnect() -> None:
        called.append(True)

    peer = Recorder()
    response = EventStreamResponse(events(), on_disconnect=on_disconnect)
    async with anyio.create_task_group() as tg:
        tg.start_soon(serve, response, peer)
        await anyio.sleep(0.05)
        peer.gone.set()
    assert closed.is_set() and called == [True]
    assert all(m.get("more_body", True) for m in peer.messages[1:])  # no clean end sent


async def test_a_failing_source_ends_the_stream_then_raises() -> None:
    async def events() -> AsyncIterator[Item]:
        yield StreamEvent("error", {"error": "ValueError", "message": "boom"})
        raise ValueError("boom")

    peer = Recorder()
    with pytest.raises(ValueError, match="boom"):
        await serve(EventStreamResponse(events()), peer)
    assert peer.body == b'event: error\r\ndata: {"error":"ValueError","message":"boom"}\r\n\r\n'
    assert peer.messages[-1]["more_body"] is False


async def test_a_failed_write_counts_as_a_disconnect() -> None:
    called: list[bool] = []

    async def events() -> AsyncIterator[Item]:
        while True:
            yield StreamEvent("custom", 1)

    async def broken(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            raise OSError("client went away")

    async def on_disconnect() -> None:
        called.append(True)

    peer = Recorder()
    with anyio.fail_after(5):
        await EventStreamResponse(events(), on_disconnect=on_disconnect)(
            {"type": "http"}, peer.receive, broken
        )
    assert called == [True]


async def test_events_ready_together_go_out_as_one_chunk() -> None:
    async def events() -> AsyncIterator[Item]:
        for n in range(3):
            yield StreamEvent("custom", n)

    peer = Recorder()
    await serve(EventStreamResponse(events()), peer)
    assert [m["body"] for m in peer.messages[1:]] == [
        b"event: custom\r\ndata: 0\r\n\r\nevent: custom\r\ndata: 1\r\n\r\n"
        b"event: custom\r\ndata: 2\r\n\r\n",
        b"",
    ]


async def test_what_is_ready_is_written_before_the_source_waits() -> None:
    more = anyio.Event()

    async def events() -> AsyncIterator[Item]:
        yield StreamEvent("custom", 1)
        yield StreamEvent("custom", 2)
        await more.wait()  # set only once the first two are written
        yield StreamEvent("custom", 3)

    peer = Recorder()

    async def send(message: dict[str, Any]) -> None:
        await peer.send(message)
        if b"data: 2" in message.get("body", b""):
            more.set()

    with anyio.fail_after(5):
        await EventStreamResponse(events())({"type": "http"}, peer.receive, send)
    assert [m["body"] for m in peer.messages[1:]] == [
        b"event: custom\r\ndata: 1\r\n\r\nevent: custom\r\ndata: 2\r\n\r\n",
        b"event: custom\r\ndata: 3\r\n\r\n",
        b"",
    ]


async def test_events_before_a_failure_are_written_together() -> None:
    async def events() -> AsyncIterator[Item]:
        yield StreamEvent("custom", 1)
        yield StreamEvent("custom", 2)
        raise ValueError("boom")

    peer = Recorder()
    with pytest.raises(ValueError, match="boom"):
        await serve(EventStreamResponse(events()), peer)
    assert peer.body == b"event: custom\r\ndata: 1\r\n\r\nevent: custom\r\ndata: 2\r\n\r\n"
    assert peer.messages[-1]["more_body"] is False


async def test_disconnect_during_a_write_unwinds_the_waiting_source() -> None:
    """The source was stepped (and is waiting) when the write hangs and the client goes."""
    closed = anyio.Event()
    called: list[bool] = []

    async def events() -> AsyncIterator[Item]:
        try:
            yield StreamEvent("values", {})
            await anyio.sleep_forever()
        finally:
            closed.set()

    async def on_disconnect() -> None:
        called.append(True)

    peer = Recorder()

    async def stuck(message: dict[str, Any]) -> None:
        await peer.send(message)
        if message["type"] == "http.response.body":
            peer.gone.set()
            await anyio.sleep_forever()  # a client that stopped reading

    with anyio.fail_after(5):
        await EventStreamResponse(events(), on_disconnect=on_disconnect)(
            {"type": "http"}, peer.receive, stuck
        )
    assert closed.is_set() and called == [True]
