"""`/runs/crons` routes: cron jobs on a thread, or stateless on a new thread per firing."""

from __future__ import annotations

from skeino.api.common import access, paged_response
from skeino.http.request import Request
from skeino.http.responses import Response, empty, json_response
from skeino.http.router import Route
from skeino.models.crons import CronCount, CronCreate, CronPatch, CronSearch
from skeino.services.container import Services

CRON = "/runs/crons/{cron_id:uuid}"


def routes(svc: Services) -> list[Route]:
    crons = svc.crons

    async def create(req: Request) -> Response:
        return json_response(
            await crons.create(req.path_params.get("thread_id"), req.data, access(req))
        )

    async def patch(req: Request) -> Response:
        return json_response(await crons.patch(req.path_params["cron_id"], req.data, access(req)))

    async def get(req: Request) -> Response:
        return json_response(await crons.get(req.path_params["cron_id"], access(req)))

    async def delete(req: Request) -> Response:
        await crons.delete(req.path_params["cron_id"], access(req))
        return empty()

    async def search(req: Request) -> Response:
        return paged_response(await crons.search(req.data, access(req)))

    async def count(req: Request) -> Response:
        return json_response(await crons.count(req.data, access(req)))

    tags = ("Crons",)
    return [
        Route(
            "POST",
            "/threads/{thread_id:uuid}/runs/crons",
            create,
            body=CronCreate,
            tags=tags,
            summary="Schedule runs on a thread",
        ),
        Route(
            "POST",
            "/runs/crons",
            create,
            body=CronCreate,
            tags=tags,
            summary="Schedule stateless runs, each on a new thread",
        ),
        Route(
            "POST", "/runs/crons/search", search, body=CronSearch, tags=tags, summary="Search crons"
        ),
        Route("POST", "/runs/crons/count", count, body=CronCount, tags=tags, summary="Count crons"),
        Route("GET", CRON, get, tags=tags, summary="Get a cron"),
        Route("PATCH", CRON, patch, body=CronPatch, tags=tags, summary="Update a cron"),
        Route("DELETE", CRON, delete, tags=tags, summary="Delete a cron"),
    ]
