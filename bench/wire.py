"""A light HTTP/1.1 keep-alive client for the rate workloads (thread create, runs.wait).

httpx costs the client more CPU per request than skeino's server spends answering it, and
client and server share the machine's two cores, so the rate figures measured the client.
This one is an asyncio Protocol per connection: the request is one `write`, the response is
parsed from the bytes received (Content-Length or chunked bodies: both servers stream
`runs/wait` chunked, possibly with newline keep-alives first). Each worker owns one
persistent connection, so there is no pool bookkeeping and never two requests on one
connection at a time. Bench-only: no TLS, no redirects, no proxies, no `Expect`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

TIMEOUT_S = 300.0  # as the httpx client's: a request that long is a hung server


class HTTPError(Exception):
    """A response outside 2xx, or a connection that broke before the response ended."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    keep_alive: bool


def _chunked(buffer: bytearray, pos: int) -> tuple[bytes, int] | None:
    """The de-chunked body starting at `pos` and where it ends, or None while incomplete."""
    body = bytearray()
    while True:
        line_end = buffer.find(b"\r\n", pos)
        if line_end < 0:
            return None
        size = int(bytes(buffer[pos:line_end]).split(b";", 1)[0], 16)
        pos = line_end + 2
        if size == 0:  # last chunk: skip any trailers up to the empty line
            while (line_end := buffer.find(b"\r\n", pos)) > pos:
                pos = line_end + 2
            return (bytes(body), line_end + 2) if line_end == pos else None
        if len(buffer) < pos + size + 2:
            return None
        body += buffer[pos : pos + size]
        pos += size + 2


def parse(buffer: bytearray) -> tuple[Response, int] | None:
    """The first complete response in `buffer` and its length in bytes, or None so far."""
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    status_line, *lines = bytes(buffer[:head_end]).decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])  # hypercorn sends no reason phrase
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    keep_alive = headers.get("connection") != "close"
    start = head_end + 4
    if headers.get("transfer-encoding") == "chunked":
        found = _chunked(buffer, start)
        if found is None:
            return None
        return Response(status, found[0], keep_alive), found[1]
    end = start + int(headers.get("content-length", "0"))
    if len(buffer) < end:
        return None
    return Response(status, bytes(buffer[start:end]), keep_alive), end


class _Connection(asyncio.Protocol):
    """One keep-alive connection carrying one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[Response] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done():
            return
        found = parse(self.buffer)
        if found is not None:
            response, used = found
            del self.buffer[:used]
            if not response.keep_alive:
                self.close()
            self.waiter.set_result(response)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(HTTPError(f"connection lost: {exc or 'closed by server'}"))

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    async def send(self, request: bytes) -> Response:
        if self.waiter is not None and not self.waiter.done():
            raise RuntimeError("a request is already in flight on this connection")
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        self.waiter = waiter = loop.create_future()
        expiry = loop.call_later(TIMEOUT_S, self._expire, waiter)
        self.transport.write(request)
        try:
            return await waiter
        finally:
            expiry.cancel()

    def _expire(self, waiter: asyncio.Future[Response]) -> None:
        if not waiter.done():
            waiter.set_exception(HTTPError(f"no response within {TIMEOUT_S:.0f} s"))
            self.close()


class Client:
    """Requests to one server, each worker index on its own persistent connection."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._connections: dict[int, _Connection] = {}

    async def _connection(self, worker: int) -> _Connection:
        connection = self._connections.get(worker)
        if connection is None or connection.closed:
            loop = asyncio.get_running_loop()
            _, connection = await loop.create_connection(_Connection, self.host, self.port)
            self._connections[worker] = connection
        return connection

    async def open(self, workers: int, at_once: int = 32) -> None:
        """Connect workers 0..`workers`-1 ahead of a timed loop, `at_once` at a time: a
        crowd of connects would otherwise be timed too, and overflow a small listen
        backlog (hypercorn's is 100) into SYN retries a second apart."""
        for start in range(0, workers, at_once):
            batch = range(start, min(workers, start + at_once))
            await asyncio.gather(*(self._connection(worker) for worker in batch))

    async def request(self, worker: int, method: str, path: str, body: bytes = b"") -> bytes:
        """The response body; HTTPError unless the status is 2xx."""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        connection = await self._connection(worker)
        response = await connection.send(head.encode() + body)
        if not 200 <= response.status < 300:
            raise HTTPError(f"{method} {path}: {response.status} {response.body[:200]!r}")
        return response.body

    async def post(self, worker: int, path: str, payload: bytes) -> Any:
        """POST a JSON body (already encoded) and decode the JSON answer."""
        return orjson.loads(await self.request(worker, "POST", path, payload))

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()
        await asyncio.sleep(0)  # let the transports close before the loop moves on
