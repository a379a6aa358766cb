"""The streaming ASGI transport hands a never-ending response over chunk by chunk, and
closing it disconnects the app."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from conformance.asgi import StreamingASGITransport

pytestmark = pytest.mark.anyio


class Endless:
    """An ASGI app whose body never ends; it notes whether it saw the client leave."""

    def __init__(self) -> None:
        self.disconnected = anyio.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        request = await receive()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"x-path", scope["path"].encode())],
            }
        )
        await send({"type": "http.response.body", "body": request["body"], "more_body": True})
        async with anyio.create_task_group() as group:

            async def watch() -> None:
                if (await receive())["type"] == "http.disconnect":
                    self.disconnected.set()

            group.start_soon(watch)
            for count in range(10**6):
                await send(
                    {"type": "http.response.body", "body": b"%d," % count, "more_body": True}
                )
                await anyio.sleep(0.001)


async def test_reads_part_of_an_endless_body_and_disconnects() -> None:
    app = Endless()
    async with anyio.create_task_group() as group:
        transport = StreamingASGITransport(app, group)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://app.invalid") as client,
            client.stream("POST", "/somewhere", content=b"hello|") as response,
        ):
            assert response.headers["x-path"] == "/somewhere"
            read = b""
            async for chunk in response.aiter_raw():
                read += chunk
                if read.count(b",") >= 3:
                    break
        assert read.startswith(b"hello|0,1,2,")
        with anyio.fail_after(5):
            await app.disconnected.wait()


async def test_a_whole_response_ends() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    async with anyio.create_task_group() as group:
        transport = StreamingASGITransport(app, group)
        async with httpx.AsyncClient(transport=transport, base_url="http://app.invalid") as client:
            response = await client.get("/")
    assert (response.status_code, response.content) == (201, b"done")


async def test_an_app_that_fails_before_answering_raises() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        raise LookupError("no answer")

    async with anyio.create_task_group() as group:
        transport = StreamingASGITransport(app, group)
        async with httpx.AsyncClient(transport=transport, base_url="http://app.invalid") as client:
            with pytest.raises(LookupError):
                await client.get("/")
