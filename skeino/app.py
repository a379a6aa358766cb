"""`create_app`: the ASGI application, its lifespan, and what it hosts beside our routes.

Start-up opens storage and the checkpointer, creates the system assistants and builds the
route table; shutdown closes them in reverse. Hosts that do not run the ASGI lifespan for a
mounted app (Starlette's `Mount`) can drive it with `async with app.running(): ...`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import orjson
from langgraph_sdk import Auth
from starlette.middleware.cors import CORSMiddleware

from skeino import console, loopback
from skeino.api import assistants, crons, docs, metrics, runs, system, thread_streams, threads
from skeino.api import store as store_api
from skeino.auth.gate import Gate, honour_refusals
from skeino.backend import StoreOptions, open_backend
from skeino.clock import Clock, SystemClock
from skeino.graphs import GraphRegistry, GraphSource
from skeino.http.cors import PrivateNetworkAccess
from skeino.http.hosting import HostedApp
from skeino.http.openapi import openapi_path
from skeino.http.responses import error
from skeino.http.router import Route, Router
from skeino.http.sockets import SocketDoor
from skeino.http.websocket import reject
from skeino.metrics.http import Measured
from skeino.services.container import Services
from skeino.settings import SkeinoSettings
from skeino.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger("skeino")

AT_ROOT = frozenset({"/ok", "/metrics"})


class SkeinoApp:
    """A plain ASGI callable serving the Agent Server API for a set of graphs."""

    def __init__(
        self,
        graphs: Mapping[str, GraphSource],
        settings: SkeinoSettings,
        custom_app: ASGIApp | None = None,
        auth: Auth | None = None,
        custom_route_auth: bool = False,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.sources = dict(graphs)
        self.hosted = HostedApp.take(custom_app) if custom_app is not None else None
        self.gate = Gate(auth, self._path_params, custom_route_auth) if auth else None
        self.services: Services | None = None
        self.router: Router | None = None
        self._routes: ASGIApp | None = None
        self._custom: ASGIApp | None = None
        self._sockets: SocketDoor | None = None
        self._stack: AsyncExitStack | None = None
        self._http: ASGIApp = self._dispatch
        self._measured: ASGIApp = self._serve
        if settings.cors is not None:
            cors = settings.cors
            cors_middleware = CORSMiddleware(
                self._dispatch,
                allow_origins=cors.allow_origins,
                allow_methods=cors.allow_methods,
                allow_headers=cors.allow_headers,
                allow_credentials=cors.allow_credentials,
                expose_headers=cors.expose_headers,
                max_age=cors.max_age,
                allow_origin_regex=cors.allow_origin_regex,
            )
            self._http = PrivateNetworkAccess(cors_middleware)
        self._auth_first = settings.middleware_order == "auth_first"
        if self.hosted is not None and not self._auth_first:
            self._http = self.hosted.around(self._http)

    async def _startup(self) -> None:
        stack = AsyncExitStack()
        try:
            options = StoreOptions(self.settings.store_index, self.settings.store_ttl)
            backend = await stack.enter_async_context(
                open_backend(self.settings.database_uri, options)
            )
            graph_registry = GraphRegistry(
                self.sources, checkpointer=backend.checkpointer, store=backend.store
            )
            authorizer = self.gate.authorizer if self.gate is not None else None
            services = Services.build(
                self.settings, backend, graph_registry, self.clock, authorizer
            )
            await services.assistants.create_system_assistants(graph_configs())
            await stack.enter_async_context(services.running())
            if self.hosted is not None:
                await stack.enter_async_context(self.hosted.lifespan())
            stack.enter_context(loopback.serving(self))
        except BaseException:
            await stack.aclose()
            raise
        self._stack, self.services = stack, services
        routes = build_routes(services)
        if self.gate is not None:
            routes = honour_refusals(routes)
        self.router = Router(routes, self.settings.max_body_bytes)
        self._routes = self.router
        if self.hosted is not None:
            inside = self.hosted.around if self._auth_first else _bare
            self._routes, self._custom = inside(self.router), inside(self.hosted.app)
        self._measured = Measured(self._serve, services.metrics.http, self._template)
        admit = self.gate.admit_socket if self.gate is not None else None
        on = "threads" not in self.settings.disabled
        sockets = thread_streams.socket_routes(services) if on else []
        self._sockets = SocketDoor(sockets, admit, self.settings.max_body_bytes)
        logger.info(
            "skeino started: %d graph(s), database %s",
            len(self.sources),
            self.settings.database_uri,
        )

    def going_away(self) -> None:
        """The server stops taking work: thread streams end and their sockets close (1001),
        so that the server need not wait for them to finish by themselves."""
        if self.services is not None:
            self.services.thread_streams.close_all()

    async def _shutdown(self) -> None:
        self.going_away()
        if self._stack is not None:
            await self._stack.aclose()
        self._stack, self.services, self.router = None, None, None
        self._routes = self._custom = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[SkeinoApp]:
        await self._startup()
        try:
            yield self
        finally:
            await self._shutdown()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket" and self._sockets is not None:
            await self._websocket(scope, receive, send)
        elif self.hosted is not None:
            await self.hosted.app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self._startup()
                except Exception as exc:
                    logger.exception("start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._routes is None:
            await error(503, "skeino is not started: run the ASGI lifespan")(scope, receive, send)
            return
        local = self._local(scope)
        if local is None:
            await error(404, "Not Found")(scope, receive, send)
            return
        await self._measured(local, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Our socket paths (thread streams), else the user's `http.app`, else refused."""
        assert self._sockets is not None
        local = self._local(scope)
        if local is not None and self._sockets.find(local["path"]) is not None:
            await self._sockets(local, receive, send)
        elif self.hosted is not None:
            await self.hosted.app(scope, receive, send)
        else:
            await reject(send)

    def _local(self, scope: Scope) -> Scope | None:
        """The request with the host's `root_path` taken off its path, as our routes see it
        under `mount_prefix` (None: outside it)."""
        root = scope.get("root_path", "")
        if root and scope["path"].startswith(root):
            scope = {**scope, "path": scope["path"][len(root) :] or "/"}
        return self._under_prefix(scope)

    def _under_prefix(self, scope: Scope) -> Scope | None:
        """The request as our routes see it under `mount_prefix` (None: outside it). `/ok`
        and `/metrics` answer at the root too, for health checks and scrapers, as upstream;
        the SDK's in-process loopback knows no prefix."""
        prefix, path = self.settings.mount_prefix, scope["path"]
        if not prefix or path in AT_ROOT or loopback.is_loopback(scope):
            return scope
        if path != prefix and not path.startswith(prefix + "/"):
            return None
        root = scope.get("root_path", "") + prefix
        return {**scope, "path": path[len(prefix) :] or "/", "root_path": root}

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self._routes is not None
        if self._custom is not None and self._goes_to_hosted(scope):
            await self._through_gate(self._custom, True, scope, receive, send)
            return
        await self._through_gate(self._routes, False, scope, receive, send)

    async def _through_gate(
        self, app: ASGIApp, custom: bool, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Authenticate first when custom auth is configured and guards this path; the SDK's
        in-process loopback is not authenticated, as upstream."""
        gate = self.gate
        if (
            gate is not None
            and not loopback.is_loopback(scope)
            and gate.guards(scope["path"], custom)
        ):
            admitted = await gate.admit(scope, receive, send)
            if admitted is None:
                return
            scope, receive = admitted
        await app(scope, receive, send)

    def _goes_to_hosted(self, scope: Scope) -> bool:
        """The user's `http.app` takes what its own routes match (shadowing ours, as upstream)
        and whatever none of ours matches."""
        assert self.router is not None and self.hosted is not None
        return self.hosted.shadows(scope) or self.router.first_match(scope["path"]) is None

    def _template(self, path: str) -> str | None:
        """The template of our route for `path`, as metrics label it (`/threads/{thread_id}`)."""
        found = self.router.first_match(path) if self.router is not None else None
        return None if found is None else openapi_path(found[0].template)

    def _path_params(self, path: str) -> dict[str, str]:
        """The parameters of the first of our routes matching `path` (authenticate's
        `path_params`)."""
        found = self.router.first_match(path) if self.router is not None else None
        return found[1] if found is not None else {}


def _bare(app: ASGIApp) -> ASGIApp:
    return app


def graph_configs() -> dict[str, dict[str, Any]]:
    """`LANGGRAPH_CONFIG` (from the environment or `langgraph.json`'s `env`): a JSON object
    of graph id → the default config of that graph's assistant, as upstream reads it."""
    raw = os.environ.get("LANGGRAPH_CONFIG")
    if not raw:
        return {}
    try:
        configs = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"LANGGRAPH_CONFIG must be a JSON object: {exc}") from None
    if not isinstance(configs, dict) or not all(isinstance(v, dict) for v in configs.values()):
        raise ValueError("LANGGRAPH_CONFIG must be a JSON object of graph id -> config object")
    return configs


ROUTE_GROUPS: tuple[tuple[str, Callable[[Services], list[Route]]], ...] = (
    ("assistants", assistants.routes),
    ("threads", threads.routes),
    ("threads", thread_streams.routes),
    ("runs", runs.routes),
    ("runs", crons.routes),
    ("store", store_api.routes),
    ("meta", metrics.routes),
    ("meta", docs.routes),
)
"""Route modules by the switch that turns them off (`http.disable_<group>`), as upstream
groups them: crons go with runs. Liveness (`/ok`) is never off."""


def build_routes(services: Services) -> list[Route]:
    off = services.settings.disabled
    table = [route for group, make in ROUTE_GROUPS if group not in off for route in make(services)]
    if services.settings.console:
        table += console.routes()
    table += system.routes(services)
    if "meta" not in off:
        table += system.meta_routes(services, table)
    return table


def create_app(
    *,
    graphs: Mapping[str, GraphSource],
    settings: SkeinoSettings | None = None,
    custom_app: Any = None,
    auth: Auth | None = None,
    custom_route_auth: bool = False,
    clock: Clock | None = None,
) -> SkeinoApp:
    """The ASGI app serving `graphs` (id → compiled graph, builder or factory).

    `auth` is a `langgraph_sdk.Auth` (langgraph.json's `auth.path`); `custom_route_auth`
    extends it to `custom_app`'s routes (`http.enable_custom_route_auth`); `clock` is a seam
    for tests of leases and schedules."""
    settings = settings or SkeinoSettings()
    return SkeinoApp(graphs, settings, custom_app, auth, custom_route_auth, clock)
