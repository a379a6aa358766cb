"""`WaitResponse`: keep-alive newlines while waiting, the JSON result, and disconnects."""

from __future__ import annotations

from typing import Any

import anyio
import orjson
import pytest

from skeino.http.waiting import WaitResponse

pytestmark = pytest.mark.anyio


class Peer:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.gone = anyio.Event()
        self.newline = anyio.Event()

    async def send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)
        if message.get("body") == b"\n":
            self.newline.set()

    async def receive(self) -> dict[str, Any]:
        await self.gone.wait()
        return {"type": "http.disconnect"}


async def test_newlines_while_waiting_then_the_result() -> None:
    peer = Peer()

    async def result() -> Any:
        await peer.newline.wait()  # ready only once a keep-alive newline went out
        return {"done": True}

    response = WaitResponse(result, {"Location": "/x/join"}, interval=0.01)
    with anyio.fail_after(5):
        await response({"type": "http"}, peer.receive, peer.send)
    start, *keepalive, last = peer.messages
    assert start["status"] == 200
    assert (b"location", b"/x/join") in start["headers"]
    assert keepalive and all(m == {"type": "http.response.body", "body": b"\n",
                                   "more_body": True} for m in keepalive)  # fmt: skip
    assert last == {"type": "http.response.body", "body": b'{"done":true}', "more_body": False}
    assert orjson.loads(b"".join(m["body"] for m in peer.messages[1:])) == {"done": True}


async def test_a_ready_result_is_written_at_once() -> None:
    peer = Peer()

    async def result() -> Any:
        return [1, 2]

    with anyio.fail_after(5):
        await WaitResponse(result)({"type": "http"}, peer.receive, peer.send)
    assert [m.get("body") for m in peer.messages[1:]] == [b"[1,2]"]


async def test_disconnect_cancels_the_wait() -> None:
    peer = Peer()
    cancelled: list[bool] = []
    called: list[bool] = []

    async def result() -> Any:
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            cancelled.append(True)
            raise

    async def on_disconnect() -> None:
        called.append(True)

    response = WaitResponse(result, interval=60, on_disconnect=on_disconnect)
    async with anyio.create_task_group() as tg:
        tg.start_soon(response, {"type": "http"}, peer.receive, peer.send)
        await anyio.wait_all_tasks_blocked()
        peer.gone.set()
    assert cancelled == [True] and called == [True]
    assert len(peer.messages) == 1  # the start only: no result for a client that left


async def test_a_failed_keepalive_write_counts_as_a_disconnect() -> None:
    peer = Peer()
    called: list[bool] = []

    async def result() -> Any:
        await anyio.sleep_forever()

    async def broken(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            raise OSError("client went away")

    async def on_disconnect() -> None:
        called.append(True)

    with anyio.fail_after(5):
        await WaitResponse(result, interval=0.01, on_disconnect=on_disconnect)(
            {"type": "http"}, peer.receive, broken
        )
    assert called == [True]
