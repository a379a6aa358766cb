"""The `http.app` both servers host: a route of its own, one that shadows a built-in path,
and a middleware that must wrap the built-in routes as well as its own."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TEAPOT = "x-conformance-teapot"


class Teapot:
    """Answers 418 to any request carrying the teapot header, before any route sees it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and any(k == TEAPOT.encode() for k, _ in scope["headers"]):
            await JSONResponse({"detail": "short and stout"}, 418)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def ping(request: Request) -> JSONResponse:
    return JSONResponse({"pong": True})


async def shadowed(request: Request) -> JSONResponse:
    return JSONResponse({"shadowed": True})


app = Starlette(
    routes=[Route("/custom/ping", ping), Route("/assistants/shadowed", shadowed)],
    middleware=[Middleware(Teapot)],
)
