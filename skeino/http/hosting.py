"""Hosting a user's `http.app` (`langgraph.json`) the way the official server does.

Upstream merges our routes into the user's Starlette app, so three things follow that users
rely on: the app's middleware wraps our routes too (outside authentication by default, inside
it with `http.middleware_order: "auth_first"`); its routes come before ours, so it may shadow
an endpoint, though never the health, metrics and API description routes; and its lifespan
runs beside ours. Any other ASGI callable is hosted as it is, behind our routes.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match

from skeino.types import ASGIApp, Message, Scope

logger = logging.getLogger("skeino.http")
UNSHADOWABLE = frozenset({"/ok", "/metrics", "/docs", "/openapi.json"})


@dataclass(frozen=True)
class HostedApp:
    """The user's app with its middleware taken off, to be laid around ours as well."""

    app: ASGIApp
    middleware: tuple[Middleware, ...] = ()
    routes: tuple[BaseRoute, ...] = ()

    @classmethod
    def take(cls, app: Any) -> HostedApp:
        """Lift a Starlette app's middleware off (a copy of) it, as upstream does when it
        merges apps: laid around the whole server once, it must not run again on its own
        routes. The user's object stays as it was, to be hosted again."""
        if not isinstance(app, Starlette):
            return cls(app)
        bare = copy.copy(app)
        bare.user_middleware = []
        bare.exception_handlers = {HTTPException: _json_error, **app.exception_handlers}
        bare.middleware_stack = None
        return cls(bare, tuple(app.user_middleware), tuple(app.router.routes))

    def shadows(self, scope: Scope) -> bool:
        """Whether one of the app's own routes takes this request before ours."""
        if scope["path"] in UNSHADOWABLE:
            return False
        return any(route.matches(scope)[0] is Match.FULL for route in self.routes)

    def around(self, inner: ASGIApp) -> ASGIApp:
        """`inner` inside the user's middleware, outermost first as Starlette stacks it."""
        return wrap(inner, self.middleware)

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Drive the app's ASGI lifespan beside ours; an app without one is fine."""
        async with anyio.create_task_group() as tg:
            started = anyio.Event()
            stopping = anyio.Event()
            failure: list[str] = []
            tg.start_soon(self._run_lifespan, started, stopping, failure)
            await started.wait()
            if failure:
                raise RuntimeError(f"http.app failed to start: {failure[0]}")
            try:
                yield
            finally:
                stopping.set()

    async def _run_lifespan(
        self, started: anyio.Event, stopping: anyio.Event, failure: list[str]
    ) -> None:
        sent_startup = False

        async def receive() -> Message:
            nonlocal sent_startup
            if not sent_startup:
                sent_startup = True
                return {"type": "lifespan.startup"}
            await stopping.wait()
            return {"type": "lifespan.shutdown"}

        async def send(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                failure.append(message.get("message", ""))
            if message["type"].startswith("lifespan.startup."):
                started.set()

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        try:
            await self.app(scope, receive, send)
        except Exception:  # ASGI: an app that raises on a lifespan scope has none
            logger.debug("http.app has no lifespan", exc_info=True)
        finally:
            started.set()


async def _json_error(request: Request, exc: Exception) -> Response:
    """Its own 404s and 405s in our shape, `{"detail": ...}`, unless it answers them itself."""
    assert isinstance(exc, HTTPException)
    return JSONResponse({"detail": exc.detail}, exc.status_code, exc.headers)


def wrap(app: ASGIApp, middleware: Sequence[Middleware]) -> ASGIApp:
    for cls, args, kwargs in reversed(middleware):
        app = cls(app, *args, **kwargs)
    return app
