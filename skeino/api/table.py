"""The route table: every route module, grouped by the `http.disable_<group>` switch that
turns it off (as upstream groups them: crons go with runs; liveness, `/ok`, is never off)."""

from __future__ import annotations

from collections.abc import Callable

from skeino import console
from skeino.api import (
    a2a,
    assistants,
    crons,
    docs,
    mcp,
    metrics,
    runs,
    system,
    thread_streams,
    threads,
)
from skeino.api import store as store_api
from skeino.http.router import Route
from skeino.services.container import Services

ROUTE_GROUPS: tuple[tuple[str, Callable[[Services], list[Route]]], ...] = (
    ("assistants", assistants.routes),
    ("threads", threads.routes),
    ("threads", thread_streams.routes),
    ("runs", runs.routes),
    ("runs", crons.routes),
    ("store", store_api.routes),
    ("mcp", mcp.routes),
    ("a2a", a2a.routes),
    ("meta", metrics.routes),
    ("meta", docs.routes),
)


def build_routes(services: Services) -> list[Route]:
    off = services.settings.disabled
    table = [route for group, make in ROUTE_GROUPS if group not in off for route in make(services)]
    if services.settings.console:
        table += console.routes()
    table += system.routes(services)
    if "meta" not in off:
        table += system.meta_routes(services, table)
    return table


def socket_routes(services: Services) -> list[Route]:
    """WebSocket endpoints (thread streams), off with the threads they belong to."""
    return [] if "threads" in services.settings.disabled else thread_streams.socket_routes(services)
