"""Authentication at the HTTP edge: call `@auth.authenticate` with the parameters it names.

The body is read only when the function asks for `body` or `request`, and then replayed,
so the route still reads it. Failures are `AuthFailure`s carrying the status, detail and
headers of the `Auth.exceptions.HTTPException` the function raised.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from langgraph_sdk.auth.exceptions import HTTPException
from starlette.requests import Request as StarletteRequest

from skeino.auth.user import AuthUser, to_user
from skeino.errors import SkeinoError
from skeino.types import Message, Receive, Scope

logger = logging.getLogger("skeino.auth")

ANONYMOUS = AuthUser(identity="anonymous", is_authenticated=False, permissions=[])
PathParams = Callable[[str], Mapping[str, str]]


@dataclass(frozen=True)
class AuthFailure(Exception):
    """The request is refused before any route runs."""

    status: int
    detail: str
    headers: Mapping[str, str] | None = None


class Authenticator:
    """Wraps one authenticate function; `path_params` finds a path's route parameters."""

    def __init__(self, fn: Callable[..., Any] | None, path_params: PathParams) -> None:
        self.fn = fn
        self.path_params = path_params
        self.wants = set(inspect.signature(fn).parameters) if fn is not None else set()

    async def __call__(self, scope: Scope, receive: Receive) -> tuple[AuthUser, Receive]:
        """The caller, and the `receive` the route must use from now on."""
        if self.fn is None:
            return ANONYMOUS, receive
        if self.wants & {"body", "request"}:
            body = await _read(receive)
            receive = _replay(body, receive)
        else:
            body = b""
        args = self._arguments(scope, body)
        try:
            found = await self.fn(**{name: args[name] for name in self.wants if name in args})
            return to_user(found), receive
        except HTTPException as exc:
            raise AuthFailure(exc.status_code, exc.detail, exc.headers) from None
        except SkeinoError as exc:  # an unusable user: the official 400
            raise AuthFailure(400, exc.detail) from None
        except Exception:
            logger.exception("authentication failed with an error")
            raise AuthFailure(500, "Internal Server Error") from None

    def _arguments(self, scope: Scope, body: bytes) -> dict[str, Any]:
        headers = {bytes(k): bytes(v) for k, v in scope["headers"]}
        authorization = headers.get(b"authorization")
        query = scope.get("query_string", b"").decode("latin-1")
        return {
            "request": StarletteRequest(scope, _replay(body, _disconnected)),
            "body": body,
            "path": scope["path"],
            "method": scope["method"],
            "path_params": dict(self.path_params(scope["path"])),
            "query_params": dict(parse_qsl(query, keep_blank_values=True)),
            "headers": headers,
            "authorization": authorization.decode("latin-1") if authorization else None,
        }


async def _read(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, then: Receive) -> Receive:
    """A `receive` giving the already-read `body` once, then `then`'s messages (the live
    connection's, so streaming routes still learn when the client goes away)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await then()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _disconnected() -> Message:
    return {"type": "http.disconnect"}
