"""The request as handlers see it: path params, query, headers and a size-limited body."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import orjson

from skeino.errors import InvalidInput, PayloadTooLarge
from skeino.types import Receive, Scope


class Request:
    """A thin view over an ASGI scope; the body is read once, on demand."""

    __slots__ = ("_body", "_query", "data", "max_body", "path_params", "receive", "scope")

    def __init__(self, scope: Scope, receive: Receive, max_body: int) -> None:
        self.scope = scope
        self.receive = receive
        self.max_body = max_body
        self.path_params: dict[str, Any] = {}
        self.data: Any = None
        self._body: bytes | None = None
        self._query: dict[str, list[str]] | None = None

    @property
    def method(self) -> str:
        return str(self.scope["method"])

    @property
    def path(self) -> str:
        return str(self.scope["path"])

    @property
    def base_url(self) -> str:
        """The URL clients reached this app at: scheme, host and mount point."""
        host = self.header("host")
        if host is None:
            server = self.scope.get("server") or ("localhost", None)
            host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
        return f"{self.scope.get('scheme', 'http')}://{host}{self.scope.get('root_path', '')}"

    def header(self, name: str) -> str | None:
        """The first value of a header, by lower-case name."""
        key = name.lower().encode()
        for k, v in self.scope["headers"]:
            if k == key:
                return bytes(v).decode("latin-1")
        return None

    @property
    def query(self) -> dict[str, list[str]]:
        if self._query is None:
            raw = self.scope.get("query_string", b"").decode("latin-1")
            self._query = parse_qs(raw, keep_blank_values=True)
        return self._query

    def query_one(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    async def body(self) -> bytes:
        """Read the whole body, refusing it as soon as it passes the limit."""
        if self._body is not None:
            return self._body
        declared = self.header("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body:
            raise PayloadTooLarge(f"Request body exceeds {self.max_body} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise PayloadTooLarge(f"Request body exceeds {self.max_body} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        self._body = b"".join(chunks)
        return self._body

    async def json(self) -> Any:
        """The decoded body; empty and `null` bodies are invalid, as upstream answers."""
        try:
            value = orjson.loads(await self.body())
        except orjson.JSONDecodeError:
            value = None
        if value is None:
            raise InvalidInput("Invalid JSON in request body")
        try:  # what is stored must be writable again: orjson stops at 254 levels
            orjson.dumps(value)
        except TypeError:
            raise InvalidInput("JSON in request body is nested too deeply") from None
        return value
