"""Method + path template → handler, with typed path parameters and JSON errors.

Templates look like `/threads/{thread_id:uuid}/runs`; a parameter is `str` (one segment)
unless typed `uuid` (validated, 422 when malformed, as the official server answers) or
`path` (the rest of the path, slashes included).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from skeino import errors
from skeino.http.request import Request
from skeino.http.responses import error
from skeino.http.validation import parse, parse_query
from skeino.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger("skeino.http")

Handler = Callable[[Request], Awaitable[ASGIApp]]

STATUS_OF: dict[type[errors.SkeinoError], int] = {
    errors.BadRequest: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.InvalidInput: 422,
}

_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
_PATTERNS = {"str": "[^/]+", "uuid": "[^/]+", "path": ".+"}


def _check_uuid(name: str, raw: str) -> str:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        noun = name.removesuffix("_id").replace("_", " ")
        raise errors.InvalidInput(f"Invalid {noun} ID: must be a UUID") from None


@dataclass(frozen=True)
class Route:
    """One endpoint. `body` and `query` name the dataclasses the router validates into."""

    method: str
    template: str
    handler: Handler
    body: type | None = None
    query: type | None = None
    summary: str = ""
    tags: tuple[str, ...] = ()
    regex: re.Pattern[str] = field(init=False, repr=False)
    kinds: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        kinds = {m.group(1): m.group(2) or "str" for m in _PARAM.finditer(self.template)}
        pattern = _PARAM.sub(
            lambda m: f"(?P<{m.group(1)}>{_PATTERNS[m.group(2) or 'str']})", self.template
        )
        object.__setattr__(self, "kinds", kinds)
        object.__setattr__(self, "regex", re.compile(f"^{pattern}$"))

    def matches(self, path: str) -> dict[str, str] | None:
        """The raw path parameters when the path fits this template, else None."""
        m = self.regex.match(path)
        return m.groupdict() if m else None

    async def handle(self, request: Request, raw: dict[str, str]) -> ASGIApp:
        """Validate path, query and body, then call the handler."""
        request.path_params = {
            k: _check_uuid(k, v) if self.kinds[k] == "uuid" else v for k, v in raw.items()
        }
        if self.query is not None:
            request.data = parse_query(self.query, request.query)
        if self.body is not None:
            request.data = parse(self.body, await request.json())
        return await self.handler(request)


class Router:
    """Dispatches to the first matching route; 404 and 405 (with `Allow`) otherwise."""

    def __init__(self, routes: list[Route], max_body: int) -> None:
        self.routes = routes
        self.max_body = max_body

    def __iter__(self) -> Iterator[Route]:
        return iter(self.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, self.max_body)
        try:
            response = await self.dispatch(request)
        except errors.SkeinoError as exc:
            response = error(_status(exc), exc.detail)
        except Exception:
            logger.exception("unhandled error in %s %s", request.method, request.path)
            response = error(500, "Internal Server Error")
        await response(scope, receive, send)

    async def dispatch(self, request: Request) -> ASGIApp:
        path, method = request.path, request.method
        allowed: list[str] = []
        for route in self.routes:
            raw = route.matches(path)
            if raw is None:
                continue
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                return await route.handle(request, raw)
            allowed.append(route.method)
        if allowed:
            return error(405, "Method Not Allowed", {"Allow": ", ".join(dict.fromkeys(allowed))})
        return error(404, "Not Found")


def _status(exc: errors.SkeinoError) -> int:
    for kind in type(exc).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return 400


def route(method: str, template: str, **options: Any) -> Callable[[Handler], Route]:
    """Decorator form: `@route("GET", "/ok")` turns a handler into a `Route`."""

    def wrap(handler: Handler) -> Route:
        return Route(method, template, handler, **options)

    return wrap
