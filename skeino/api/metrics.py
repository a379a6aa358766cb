"""`GET /metrics`: Prometheus text, or `?format=json` (upstream's JSON object, extended)."""

from __future__ import annotations

from datetime import UTC, datetime

from skeino.http.request import Request
from skeino.http.responses import Response, json_response
from skeino.http.router import Route
from skeino.metrics.exposition import CONTENT_TYPE, render
from skeino.services.container import Services


def routes(svc: Services) -> list[Route]:
    metrics = svc.metrics

    async def scrape(req: Request) -> Response:
        now = datetime.now(UTC)
        if req.query_one("format") == "json":  # any other value is Prometheus, as upstream
            return json_response(await metrics.as_json(now))
        return Response(render(await metrics.families(now)), media_type=CONTENT_TYPE.encode())

    return [
        Route(
            "GET",
            "/metrics",
            scrape,
            tags=("System",),
            summary="Queue, run, stream and request metrics (Prometheus text, or ?format=json)",
        )
    ]
