"""HTTP requests by route template and status, and their latency: an ASGI wrapper.

Only requests that reach one of our routes are counted, under the route's template
(`/threads/{thread_id}`), so the series stay few whatever paths clients send. As upstream,
the endpoints monitoring itself polls (`/ok`, `/info`, `/metrics`, `/docs`, `/openapi.json`)
are left out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from skeino.metrics.exposition import Family, Histogram, Sample
from skeino.types import ASGIApp, Message, Receive, Scope, Send

UNCOUNTED = frozenset({"/ok", "/info", "/metrics", "/docs", "/openapi.json"})
LATENCY_BUCKETS = (0.01, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)


class HttpMetrics:
    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, int], int] = {}
        self.latency = Histogram(LATENCY_BUCKETS)

    def record(self, method: str, path: str, status: int, seconds: float) -> None:
        key = (method, path, status)
        self.counts[key] = self.counts.get(key, 0) + 1
        self.latency.observe((("method", method), ("path", path)), seconds)

    def as_json(self) -> list[dict[str, Any]]:
        """Upstream's `api.http_requests_total` list."""
        return [
            {"method": method, "path": path, "status": status, "count": count}
            for (method, path, status), count in self.counts.items()
        ]

    def families(self) -> list[Family]:
        requests = tuple(
            Sample((("method", method), ("path", path), ("status", str(status))), count)
            for (method, path, status), count in self.counts.items()
        )
        return [
            Family("lg_api_http_requests_total", "counter", "HTTP requests.", requests),
            self.latency.family(
                "lg_api_http_requests_latency_seconds", "HTTP request latency in seconds."
            ),
        ]


class Measured:
    """Counts and times each request `template_of` names a route for (None: not counted).
    Latency runs to the end of the response, a stream's included."""

    def __init__(
        self, app: ASGIApp, metrics: HttpMetrics, template_of: Callable[[str], str | None]
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.template_of = template_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        template = self.template_of(scope["path"])
        if template is None or template in UNCOUNTED:
            await self.app(scope, receive, send)
            return
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.record(scope["method"], template, status, time.perf_counter() - started)
