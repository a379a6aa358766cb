"""The ASGI WebSocket: handshake, frames in order, a bounded send buffer, closing."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from skeino.http.websocket import TRY_AGAIN_LATER, WebSocket, reject
from skeino.types import Message

pytestmark = pytest.mark.anyio


class Peer:
    """The server side of an ASGI connection: what the client sends, what we wrote."""

    def __init__(self, *incoming: Message) -> None:
        self.incoming = list(incoming)
        self.sent: list[Message] = []
        self.gate = anyio.Event()  # a slow client: nothing is written until this is set

    async def receive(self) -> Message:
        if self.incoming:
            return self.incoming.pop(0)
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(self, message: Message) -> None:
        if message["type"] == "websocket.send":
            await self.gate.wait()
        self.sent.append(message)


def socket(peer: Peer, limit: int = 4) -> WebSocket:
    return WebSocket({"type": "websocket"}, peer.receive, peer.send, limit)


async def test_frames_go_out_in_order_then_the_close() -> None:
    peer = Peer({"type": "websocket.connect"}, {"type": "websocket.receive", "text": "hi"})
    peer.gate.set()
    ws = socket(peer)
    assert await ws.accept()
    assert await ws.receive_text() == "hi"
    for n in range(3):
        ws.send_text(str(n))
    ws.close(1000, "bye")
    ws.send_text("late")  # after close: dropped
    with anyio.fail_after(5):
        await ws.run_sender()
    kinds: list[Any] = [(m["type"], m.get("text", m.get("code"))) for m in peer.sent]
    assert kinds == [
        ("websocket.accept", None),
        ("websocket.send", "0"),
        ("websocket.send", "1"),
        ("websocket.send", "2"),
        ("websocket.close", 1000),
    ]


async def test_a_socket_too_far_behind_is_cut_off() -> None:
    peer = Peer({"type": "websocket.connect"})
    ws = socket(peer, limit=4)
    await ws.accept()
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(ws.run_sender)
            for n in range(100):  # the writer never waits, however slow the client
                ws.send_text(str(n))
            peer.gate.set()
    sent = [m for m in peer.sent if m["type"] == "websocket.send"]
    assert len(sent) <= 1
    assert peer.sent[-1] == {
        "type": "websocket.close",
        "code": TRY_AGAIN_LATER,
        "reason": "client fell too far behind",
    }


async def test_a_client_that_leaves_ends_the_socket() -> None:
    peer = Peer({"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1001})
    ws = socket(peer)
    await ws.accept()
    assert await ws.receive_text() is None
    with anyio.fail_after(5):
        await ws.run_sender()
    assert [m["type"] for m in peer.sent] == ["websocket.accept"]


async def test_a_refused_handshake_is_a_close_before_accept() -> None:
    peer = Peer()
    await reject(peer.send)
    assert peer.sent == [{"type": "websocket.close", "code": 1008, "reason": ""}]
