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
    """Dispatches to the first matching route; 404 and 405 (with `Allow`) otherwise.

    Routes are indexed by segment count and first segment, so a request tries only the
    templates that could fit it (in table order), not every regex of the table.
    """

    def __init__(self, routes: list[Route], max_body: int) -> None:
        self.routes = routes
        self.max_body = max_body
        self._index, self._fallback, self._variable = _build_index(routes)

    def __iter__(self) -> Iterator[Route]:
        return iter(self.routes)

    def candidates(self, path: str) -> list[Route]:
        """The routes that may match `path`, in table order (a superset of the matches)."""
        parts = path.split("/", 2)
        count = path.count("/")
        first = parts[1] if len(parts) > 1 else ""
        found = self._index.get((count, first))
        if found is not None:
            return found
        return self._fallback.get(count, self._variable)

    def first_match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        """The first route whose template fits `path`, whatever its method, and its params."""
        for route in self.candidates(path):
            raw = route.matches(path)
            if raw is not None:
                return route, raw
        return None

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
        for route in self.candidates(path):
            raw = route.matches(path)
            if raw is None:
                continue
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                return await route.handle(request, raw)
            allowed.append(route.method)
        if allowed:
            return error(405, "Method Not Allowed", {"Allow": ", ".join(dict.fromkeys(allowed))})
        return error(404, "Not Found")


Index = dict[tuple[int, str], list[Route]]


def _build_index(routes: list[Route]) -> tuple[Index, dict[int, list[Route]], list[Route]]:
    """Candidate lists keyed by (slash count, first segment), each in table order.

    A `str`/`uuid` parameter never spans a slash, so such a template only fits paths with its
    own slash count; a `path` parameter may add slashes, so it joins every count from its own
    up. A first segment without a parameter must match literally; one with a parameter fits
    any. `fallback[count]` serves first segments no template names literally; `variable`
    serves counts no template has (only `path` templates can fit those).
    """
    shapes: list[tuple[Route, int, str | None, bool]] = []
    for route in routes:
        count = route.template.count("/")
        first = route.template.split("/", 2)[1] if count else route.template
        literal = None if "{" in first else first
        variable = "path" in route.kinds.values()
        shapes.append((route, count, literal, variable))
    counts = {count for _, count, _, _ in shapes}
    firsts = {(count, literal) for _, count, literal, _ in shapes if literal is not None}
    top = max(counts, default=0)

    def fits(shape: tuple[Route, int, str | None, bool], count: int, first: str | None) -> bool:
        _, own, literal, variable = shape
        if count < own or (count > own and not variable):
            return False
        return literal is None or literal == first

    # A `path` template with a literal first segment also fits longer paths with that first
    # segment: index those keys for every count up to the longest template.
    for _, own, literal, variable in shapes:
        if variable and literal is not None:
            firsts.update((count, literal) for count in range(own, top + 1))
    index = {
        (count, first): [s[0] for s in shapes if fits(s, count, first)] for count, first in firsts
    }
    fallback = {
        count: [s[0] for s in shapes if fits(s, count, None) and s[2] is None]
        for count in range(top + 1)
    }
    variable_only = [s[0] for s in shapes if s[3]]
    return index, fallback, variable_only


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
