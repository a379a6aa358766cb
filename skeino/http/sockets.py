"""WebSockets on our own paths: admitted as HTTP requests are, refused cleanly otherwise.

The handshake meets custom auth as the HTTP GET it is (headers only); a refusal, a bad path
parameter or an unknown resource closes it before the accept (HTTP 403 to the client), never
a 500. The route's handler returns the ASGI app that then speaks on the socket.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from skeino.errors import SkeinoError
from skeino.http.request import Request
from skeino.http.router import Route
from skeino.http.websocket import reject
from skeino.types import Receive, Scope, Send

logger = logging.getLogger("skeino.http")

Admit = Callable[[Scope], Awaitable[Scope | None]]
"""The caller of a handshake (its scope with the user), or None when refused."""


class SocketDoor:
    def __init__(self, routes: Sequence[Route], admit: Admit | None, max_body_bytes: int):
        self.routes = tuple(routes)
        self.admit = admit
        self.max_body_bytes = max_body_bytes

    def find(self, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.matches(path)
            if found is not None:
                return route, found
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.find(scope["path"])
        if found is None:
            await reject(send)
            return
        route, params = found
        try:
            admitted = scope if self.admit is None else await self.admit(scope)
            if admitted is None:
                await reject(send)
                return
            app = await route.handle(Request(admitted, receive, self.max_body_bytes), params)
        except Exception as exc:  # a bad id, an unknown thread: refused, never a 500
            if not isinstance(exc, SkeinoError):
                logger.exception("WebSocket %s refused", scope["path"])
            await reject(send)
            return
        await app(admitted, receive, send)
