"""Liveness, server info, and the API description."""

from __future__ import annotations

from importlib.metadata import version

from skeino.http.openapi import openapi
from skeino.http.request import Request
from skeino.http.responses import Response, json_response
from skeino.http.router import Route
from skeino.services.container import Services
from skeino.services.truncate import truncate


def _info() -> dict[str, object]:
    return {
        "version": version("skeino"),
        "langgraph_py_version": version("langgraph"),
        "flags": {
            "assistants": True,
            "crons": True,
            "langsmith": False,
            "langsmith_tracing_replicas": False,
            "langsmith_tracing_session_on_runs": False,
        },
        "host": {
            "kind": "self-hosted",
            "project_id": None,
            "host_revision_id": None,
            "revision_id": None,
            "tenant_id": None,
        },
    }


def meta_routes(svc: Services, all_routes: list[Route]) -> list[Route]:
    """`/info` and `/openapi.json` (`http.disable_meta` turns them off); `all_routes` is the
    finished table (this list included) that `/openapi.json` renders."""
    info = _info()
    prefix = svc.settings.mount_prefix

    async def get_info(req: Request) -> Response:
        return json_response(info)

    async def get_openapi(req: Request) -> Response:
        spec = openapi(all_routes, str(info["version"]))
        if prefix:  # as upstream: clients of the description reach the API under it
            spec["servers"] = [{"url": prefix}]
        return json_response(spec)

    tags = ("System",)
    return [
        Route("GET", "/info", get_info, tags=tags, summary="Server version and feature flags"),
        Route("GET", "/openapi.json", get_openapi, tags=tags, summary="This API, as OpenAPI 3.1"),
    ]


def routes(svc: Services) -> list[Route]:
    """Liveness and what UIs ask first: always served (with `disable_meta`, `/ok` says no
    more than that the server is up, as upstream)."""
    alive = {"ok": True} if "meta" in svc.settings.disabled else {"ok": True, "services": {}}

    async def ok(req: Request) -> Response:
        return json_response(alive)

    async def health(req: Request) -> Response:
        return json_response({"status": "ok"})

    async def initial_message(req: Request) -> Response:
        return json_response({"message": svc.settings.welcome_message})

    async def internal_truncate(req: Request) -> Response:
        await truncate(svc)
        return json_response({"ok": True})

    tags = ("System",)
    wipe = "Wipe threads, runs, crons and user assistants (tests only)"
    testing = [Route("POST", "/internal/truncate", internal_truncate, tags=tags, summary=wipe)]
    return [
        Route("GET", "/ok", ok, tags=tags, summary="Liveness"),
        Route("GET", "/api/health", health, tags=tags, summary="Health check"),
        Route(
            "GET",
            "/api/initial-message",
            initial_message,
            tags=tags,
            summary="The welcome message UIs show first",
        ),
        *(testing if svc.settings.internal_truncate else []),
    ]
