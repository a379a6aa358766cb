"""An httpx transport that streams an in-process ASGI app's response as it is sent.

`httpx.ASGITransport` runs the app to the end before it answers, so a response that
never ends (a thread's event stream) never reaches the client. Here the app runs in
a task of the scenario's task group and the client reads its body chunk by chunk;
closing the response tells the app the client went away (`http.disconnect`) and
cancels what is left of it.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
from anyio.abc import ObjectReceiveStream, ObjectSendStream, TaskGroup

Message = dict[str, Any]


def http_scope(request: httpx.Request) -> dict[str, Any]:
    """The ASGI `http` scope of an httpx request."""
    url = request.url
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "headers": [(key.lower(), value) for key, value in request.headers.raw],
        "scheme": url.scheme,
        "path": url.path,
        "raw_path": url.raw_path.split(b"?")[0],
        "query_string": url.query,
        "root_path": "",
        "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
        "client": ("127.0.0.1", 123),
    }


class _AppBody(httpx.AsyncByteStream):
    """The body messages the app sends; closing it disconnects the client."""

    def __init__(
        self, messages: ObjectReceiveStream[Message], gone: anyio.Event, app: anyio.CancelScope
    ) -> None:
        self._messages, self._gone, self._app = messages, gone, app

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for message in self._messages:
            if message["type"] != "http.response.body":
                continue
            if message.get("body"):
                yield message["body"]
            if not message.get("more_body", False):
                return

    async def aclose(self) -> None:
        self._gone.set()
        self._app.cancel()
        await self._messages.aclose()


class StreamingASGITransport(httpx.AsyncBaseTransport):
    """Each request runs the app in a task of `task_group` (which outlives the response)."""

    def __init__(self, app: Any, task_group: TaskGroup) -> None:
        self._app, self._task_group = app, task_group

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        to_client, messages = anyio.create_memory_object_stream[Message](math.inf)
        gone, app_scope = anyio.Event(), anyio.CancelScope()
        failure: list[BaseException] = []
        self._task_group.start_soon(
            self._run, http_scope(request), body, to_client, gone, app_scope, failure
        )
        try:
            start = await messages.receive()
        except anyio.EndOfStream:
            messages.close()
            raise failure[0] if failure else RuntimeError("the app sent no response") from None
        headers = [(bytes(key), bytes(value)) for key, value in start.get("headers", [])]
        return httpx.Response(
            start["status"], headers=headers, stream=_AppBody(messages, gone, app_scope)
        )

    async def _run(
        self,
        scope: dict[str, Any],
        body: bytes,
        to_client: ObjectSendStream[Message],
        gone: anyio.Event,
        app_scope: anyio.CancelScope,
        failure: list[BaseException],
    ) -> None:
        """Run the app to its end (or until the client closes the response)."""
        sent_body = False

        async def receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if not gone.is_set():
                await to_client.send(message)

        with app_scope, to_client:
            try:
                await self._app(scope, receive, send)
            except Exception as error:
                failure.append(error)
