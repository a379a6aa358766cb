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


def routes(svc: Services, all_routes: list[Route]) -> list[Route]:
    """`all_routes` is the finished table (this list included) that `/openapi.json` renders."""
    info = _info()

    async def ok(req: Request) -> Response:
        return json_response({"ok": True, "services": {}})

    async def get_info(req: Request) -> Response:
        return json_response(info)

    async def health(req: Request) -> Response:
        return json_response({"status": "ok"})

    async def initial_message(req: Request) -> Response:
        return json_response({"message": svc.settings.welcome_message})

    async def get_openapi(req: Request) -> Response:
        return json_response(openapi(all_routes, str(info["version"])))

    async def internal_truncate(req: Request) -> Response:
        await truncate(svc)
        return json_response({"ok": True})

    tags = ("System",)
    wipe = "Wipe threads, runs, crons and user assistants (tests only)"
    testing = [Route("POST", "/internal/truncate", internal_truncate, tags=tags, summary=wipe)]
    return [
        Route("GET", "/ok", ok, tags=tags, summary="Liveness"),
        Route("GET", "/info", get_info, tags=tags, summary="Server version and feature flags"),
        Route("GET", "/api/health", health, tags=tags, summary="Health check"),
        Route(
            "GET",
            "/api/initial-message",
            initial_message,
            tags=tags,
            summary="The welcome message UIs show first",
        ),
        Route("GET", "/openapi.json", get_openapi, tags=tags, summary="This API, as OpenAPI 3.1"),
        *(testing if svc.settings.internal_truncate else []),
    ]
