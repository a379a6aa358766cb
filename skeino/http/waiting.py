"""A JSON answer that takes a while: newlines keep the connection alive until it is ready.

`/runs/wait` and `/join` answer 200 at once and write `\\n` every `interval` seconds while
the run goes on (JSON parsers skip leading whitespace), then the result.
"""

from __future__ import annotations

import math
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
        # A watcher writes the keep-alive newlines and, when the client goes, cancels the
        # wait through the group's scope.
        failure: Exception | None = None
        async with anyio.create_task_group() as tg:
            watch = _Watch(receive, send, self.interval, tg.cancel_scope)
            tg.start_soon(watch.run)
            try:
                value = await self.result()
            except Exception as exc:  # raised as itself, not inside an exception group
                failure = exc
            tg.cancel_scope.cancel()
        if failure is not None:
            raise failure
        if watch.gone:
            if self.on_disconnect is not None:
                await self.on_disconnect()
            return
        await send({"type": "http.response.body", "body": dumps(value), "more_body": False})


class _Watch:
    """Newlines every `interval` seconds until the client disconnects (or a write fails)."""

    __slots__ = ("gone", "interval", "receive", "scope", "send")

    def __init__(
        self, receive: Receive, send: Send, interval: float, scope: anyio.CancelScope
    ) -> None:
        self.receive, self.send, self.interval, self.scope = receive, send, interval, scope
        self.gone = False

    async def run(self) -> None:
        receive = self.receive
        try:
            while True:
                with anyio.move_on_after(self.interval if self.interval > 0 else math.inf):
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    break
                await self.send({"type": "http.response.body", "body": b"\n", "more_body": True})
        except OSError:
            pass  # the server could not write: the client is gone
        self.gone = True
        self.scope.cancel()
