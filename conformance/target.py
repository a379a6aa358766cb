"""Where scenarios send their requests: a server URL or an in-process ASGI app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio.from_thread
import httpx
from anyio.abc import TaskGroup

from conformance.asgi import StreamingASGITransport

ASGI_BASE_URL = "http://conformance.invalid"


class SyncOverAsyncTransport(httpx.BaseTransport):
    """Let the sync SDK client reach an in-process ASGI app.

    The sync scenario code runs in a worker thread; each request hops back onto
    the event loop that runs the app, and the whole response is buffered (as
    `httpx.ASGITransport` does anyway).
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        status, headers, content = anyio.from_thread.run(self._send, request, body)
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _send(
        self,
        request: httpx.Request,
        body: bytes,
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        copy = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        response = await self._inner.handle_async_request(copy)
        try:
            content = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        return response.status_code, response.headers.raw, content


@dataclass(frozen=True)
class Target:
    """A server under test: its base URL and how to build fresh transports to it."""

    base_url: str
    app: Any = None

    @classmethod
    def url(cls, url: str) -> Target:
        return cls(base_url=url.rstrip("/"))

    @classmethod
    def asgi(cls, app: Any) -> Target:
        return cls(base_url=ASGI_BASE_URL, app=app)

    def async_transport(self, task_group: TaskGroup) -> httpx.AsyncBaseTransport:
        """In-process, responses stream from app tasks in `task_group` (see `asgi.py`)."""
        if self.app is not None:
            return StreamingASGITransport(self.app, task_group)
        return httpx.AsyncHTTPTransport(retries=3)

    def sync_transport(self) -> httpx.BaseTransport:
        if self.app is not None:
            return SyncOverAsyncTransport(httpx.ASGITransport(app=self.app))
        return httpx.HTTPTransport(retries=3)
