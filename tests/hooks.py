"""A webhook receiver for tests: a bare HTTP listener on a loopback port that records each
request it gets and answers 200."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.abc


@dataclass
class Hook:
    url: str
    received: list[bytes] = field(default_factory=list)
    got: anyio.Event = field(default_factory=anyio.Event)

    async def handle(self, stream: Any) -> None:
        async with stream:
            data = b""
            with anyio.fail_after(5):
                while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
                    data += await stream.receive()
            self.received.append(data)
            await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            self.got.set()

    async def first(self) -> tuple[bytes, bytes]:
        """The head and body of the first request, once it came."""
        with anyio.fail_after(5):
            await self.got.wait()
        head, _, body = self.received[0].partition(b"\r\n\r\n")
        return head, body


@asynccontextmanager
async def receiving() -> AsyncIterator[Hook]:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    hook = Hook(f"http://127.0.0.1:{port}/hook")
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, hook.handle)
        yield hook
        tg.cancel_scope.cancel()
