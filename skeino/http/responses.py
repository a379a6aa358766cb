"""Responses written straight to ASGI `send`; every body the server writes is JSON or SSE."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from skeino.errors import exception_json
from skeino.types import Receive, Scope, Send

JSON_TYPE = b"application/json"


def dumps(value: Any) -> bytes:
    """orjson with the fallbacks graph state needs (LangChain messages, sets, pydantic)."""
    return orjson.dumps(value, default=_fallback, option=orjson.OPT_NON_STR_KEYS)


def _fallback(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if hasattr(value, "to_json") and callable(value.to_json):
        return value.to_json()
    if isinstance(value, set | frozenset):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, BaseException):
        return exception_json(value)
    return repr(value)


class Response:
    """A complete body with a status and headers."""

    __slots__ = ("body", "headers", "status")

    def __init__(
        self,
        body: bytes = b"",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: bytes | None = JSON_TYPE,
    ) -> None:
        self.body = body
        self.status = status
        raw = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()
        ]
        if media_type is not None:
            raw.append((b"content-type", media_type))
        raw.append((b"content-length", str(len(body)).encode()))
        self.headers = raw

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


def json_response(
    value: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(dumps(value), status, headers)


def empty(status: int = 204, headers: Mapping[str, str] | None = None) -> Response:
    return Response(b"", status, headers, media_type=None)


def error(status: int, detail: str, headers: Mapping[str, str] | None = None) -> Response:
    return json_response({"detail": detail}, status, headers)
