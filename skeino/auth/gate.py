"""Where auth meets HTTP: the door every request passes, and the handlers' own refusals.

Authenticated requests carry their `Access` in the scope (the route handlers hand it to the
services) and, for a mounted `http.app`, Starlette's `user` and `auth` scope keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from langgraph_sdk import Auth
from langgraph_sdk.auth.exceptions import HTTPException
from starlette.authentication import AuthCredentials

from skeino.auth.authenticate import Authenticator, AuthFailure, PathParams
from skeino.auth.authorize import Access, Authorizer
from skeino.auth.user import AuthUser
from skeino.http.request import Request
from skeino.http.responses import error
from skeino.http.router import Handler, Route
from skeino.types import ASGIApp, Message, Receive, Scope, Send

ACCESS = "skeino.access"
OPEN_PATHS = frozenset({"/ok", "/info", "/openapi.json", "/api/health"})
OPEN_PREFIX = "/console"  # the console's static files: the page asks for a token itself


def access_of(scope: Scope) -> Access | None:
    """The request's caller, or None when the app has no auth."""
    return scope.get(ACCESS)


class Gate:
    """Authenticates requests for one `Auth`; `custom_routes` mirrors the manifest's
    `http.enable_custom_route_auth` (the official default leaves `http.app` routes open)."""

    def __init__(self, auth: Auth, path_params: PathParams, custom_routes: bool) -> None:
        self.authorizer = Authorizer(auth)
        self.authenticator = Authenticator(auth._authenticate_handler, path_params)
        self.custom_routes = custom_routes

    def guards(self, path: str, custom: bool) -> bool:
        if custom:
            return self.custom_routes
        return path not in OPEN_PATHS and not _console_file(path)

    async def admit(
        self, scope: Scope, receive: Receive, send: Send
    ) -> tuple[Scope, Receive] | None:
        """The scope and receive to go on with, or None once a refusal has been sent."""
        try:
            user, receive = await self.authenticator(scope, receive)
        except AuthFailure as failure:
            await error(failure.status, failure.detail, failure.headers)(scope, receive, send)
            return None
        return self._with(scope, user), receive

    async def admit_socket(self, scope: Scope) -> Scope | None:
        """A WebSocket handshake's scope with its caller, or None when refused. The
        authenticate function sees the handshake as the HTTP GET it is, without a body."""
        try:
            handshake = {**scope, "type": "http", "method": "GET"}
            user, _ = await self.authenticator(handshake, _no_body)
        except AuthFailure:
            return None
        return self._with(scope, user)

    def _with(self, scope: Scope, user: AuthUser) -> Scope:
        access = Access(self.authorizer, user)
        credentials = AuthCredentials(list(user.permissions))
        return {**scope, ACCESS: access, "user": user, "auth": credentials}


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _console_file(path: str) -> bool:
    return path == OPEN_PREFIX or path.startswith(OPEN_PREFIX + "/")


def honour_refusals(routes: list[Route]) -> list[Route]:
    """Routes whose handlers answer an `Auth.exceptions.HTTPException` raised by an
    authorization handler with its status, detail and headers."""
    return [replace(route, handler=_honouring(route.handler)) for route in routes]


def _honouring(handler: Handler) -> Handler:
    async def wrapped(req: Request) -> ASGIApp:
        try:
            return await handler(req)
        except HTTPException as exc:
            headers: Mapping[str, str] | None = exc.headers
            return error(exc.status_code, exc.detail, headers)

    return wrapped
