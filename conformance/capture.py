"""Record every HTTP exchange the SDK makes by wrapping its httpx transport.

Wrapping the transport (not the SDK) means we see exactly the bytes on the wire,
including streams, without changing how the client behaves.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from conformance import sse

CLIENT_HEADERS = (
    "content-type",
    "location",
    "content-location",
    "x-pagination-total",
    "x-pagination-next",
    "allow",
    "retry-after",
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-expose-headers",
    "access-control-allow-private-network",
)
"""Response headers some client reads; all others (date, server ...) are not compared."""

Exchange = dict[str, Any]


def decode_body(content: bytes, content_type: str) -> Any:
    """JSON when it parses, text otherwise, None when empty."""
    if not content:
        return None
    text = content.decode("utf-8", errors="replace")
    if "json" in content_type or text[:1] in "{[":
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def request_record(request: httpx.Request) -> dict[str, Any]:
    """Method, path, query and body of a request whose content has been read."""
    query: dict[str, list[str]] = {}
    for key, value in request.url.params.multi_items():
        query.setdefault(key, []).append(value)
    return {
        "method": request.method,
        "path": request.url.path,
        "query": query,
        "body": decode_body(request.content, request.headers.get("content-type", "")),
    }


Bound = Callable[[list[dict[str, Any]]], bool]
"""Given the events read so far, whether a bounded read of an event stream is complete."""


def response_record(response: httpx.Response, content: bytes) -> dict[str, Any]:
    """Status, the headers clients read, and the JSON body or the list of SSE events."""
    headers = {k: response.headers[k] for k in CLIENT_HEADERS if k in response.headers}
    record: dict[str, Any] = {"status": response.status_code, "headers": headers}
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("text/event-stream"):
        text = content.decode("utf-8", errors="replace")
        record["events"] = [event.to_json() for event in sse.parse(text)]
    else:
        record["body"] = decode_body(content, content_type)
    return record


class Recorder:
    """Exchanges in the order their requests were sent; a slot is filled when its body ends."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.paused = False
        self.bound: Bound | None = None

    def begin(self, request: httpx.Request) -> Exchange:
        """Start an exchange; while paused it is captured but not kept (timing-dependent polls)."""
        return self.add(request_record(request))

    def add(self, request: dict[str, Any]) -> Exchange:
        """Start an exchange of an already recorded request (a WebSocket session's, too)."""
        exchange: Exchange = {"request": request, "response": None}
        if not self.paused:
            self.exchanges.append(exchange)
        return exchange

    @staticmethod
    def finish(exchange: Exchange, response: httpx.Response, content: bytes) -> None:
        exchange["response"] = response_record(response, content)

    @staticmethod
    def fail(exchange: Exchange, error: Exception) -> None:
        exchange["response"] = {"error": type(error).__name__}


class _AsyncTee(httpx.AsyncByteStream):
    """Pass chunks through to the client and hand the whole body over on close.

    With a `bound`, the body handed over ends with the event that completes the bound,
    as soon as it is read: what the client reads after it (the stream never ends by
    itself) is passed through but not recorded.
    """

    def __init__(
        self, inner: httpx.AsyncByteStream, done: Callable[[bytes], None], bound: Bound | None
    ) -> None:
        self._inner, self._done, self._chunks = inner, done, list[bytes]()
        self._bound, self._handed, self._checked = bound, False, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            if not self._handed:
                self._chunks.append(chunk)
                self._check_bound()
            yield chunk

    def _check_bound(self) -> None:
        if self._bound is None:
            return
        body = b"".join(self._chunks)
        for end in sse.event_ends(body, self._checked):
            self._checked = end
            events = [event.to_json() for event in sse.parse(body[:end].decode("utf-8", "replace"))]
            if self._bound(events):
                self._handed = True
                self._done(body[:end])
                return

    async def aclose(self) -> None:
        await self._inner.aclose()
        if not self._handed:
            self._done(b"".join(self._chunks))


class _SyncTee(httpx.SyncByteStream):
    """The sync twin of `_AsyncTee` (httpx keeps the two stream protocols apart)."""

    def __init__(self, inner: httpx.SyncByteStream, done: Callable[[bytes], None]) -> None:
        self._inner, self._done, self._chunks = inner, done, list[bytes]()

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._chunks.append(chunk)
            yield chunk

    def close(self) -> None:
        self._inner.close()
        self._done(b"".join(self._chunks))


class CapturingAsyncTransport(httpx.AsyncBaseTransport):
    """An async transport that records into a `Recorder` and delegates to `inner`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, recorder: Recorder) -> None:
        self._inner, self._recorder = inner, recorder

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        exchange = self._recorder.begin(request)
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError as error:
            self._recorder.fail(exchange, error)
            raise
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)

        def done(content: bytes) -> None:
            self._recorder.finish(exchange, response, content)

        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_AsyncTee(stream, done, self._recorder.bound),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


class CapturingSyncTransport(httpx.BaseTransport):
    """A sync transport that records into a `Recorder` and delegates to `inner`."""

    def __init__(self, inner: httpx.BaseTransport, recorder: Recorder) -> None:
        self._inner, self._recorder = inner, recorder

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        exchange = self._recorder.begin(request)
        try:
            response = self._inner.handle_request(request)
        except httpx.TransportError as error:
            self._recorder.fail(exchange, error)
            raise
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)

        def done(content: bytes) -> None:
            self._recorder.finish(exchange, response, content)

        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_SyncTee(stream, done),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()
