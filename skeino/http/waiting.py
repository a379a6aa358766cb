"""A JSON answer that takes a while: newlines keep the connection alive until it is ready.

`/runs/wait` and `/join` answer 200 at once and write `\\n` every `interval` seconds while
the run goes on (JSON parsers skip leading whitespace), then the result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio

from skeino.http.responses import JSON_TYPE, dumps
from skeino.types import Receive, Scope, Send


class WaitResponse:
    __slots__ = ("headers", "interval", "on_disconnect", "result")

    def __init__(
        self,
        result: Callable[[], Awaitable[Any]],
        headers: Mapping[str, str] | None = None,
        interval: float = 5.0,
        on_disconnect: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        self.result = result
        self.interval = interval
        self.on_disconnect = on_disconnect
        self.headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        self.headers.append((b"content-type", JSON_TYPE))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        value: list[Any] = []
        gone = anyio.Event()
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._tick, send)
            tg.start_soon(_watch, receive, gone, tg.cancel_scope)
            value.append(await self.result())
            tg.cancel_scope.cancel()
        if gone.is_set():
            if self.on_disconnect is not None:
                await self.on_disconnect()
            return
        await send({"type": "http.response.body", "body": dumps(value[0]), "more_body": False})

    async def _tick(self, send: Send) -> None:
        while True:
            await anyio.sleep(self.interval)
            await send({"type": "http.response.body", "body": b"\n", "more_body": True})


async def _watch(receive: Receive, gone: anyio.Event, scope: anyio.CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    gone.set()
    scope.cancel()
