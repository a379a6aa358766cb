"""`/assistants` routes."""

from __future__ import annotations

from skeino.api.common import access, paged_response
from skeino.http.request import Request
from skeino.http.responses import Response, empty, json_response
from skeino.http.router import Route
from skeino.models.assistants import (
    AssistantCount,
    AssistantCreate,
    AssistantPatch,
    AssistantSearch,
    AssistantSetLatest,
    AssistantVersionsSearch,
    GraphQuery,
    SubgraphsQuery,
)
from skeino.services.container import Services

ID = "/assistants/{assistant_id:uuid}"


def routes(svc: Services) -> list[Route]:
    assistants, graphs = svc.assistants, svc.introspection

    async def create(req: Request) -> Response:
        return json_response(await assistants.create(req.data, access(req)))

    async def search(req: Request) -> Response:
        return paged_response(await assistants.search(req.data, access(req)))

    async def count(req: Request) -> Response:
        return json_response(await assistants.count(req.data, access(req)))

    async def get(req: Request) -> Response:
        return json_response(await assistants.get(req.path_params["assistant_id"], access(req)))

    async def patch(req: Request) -> Response:
        return json_response(
            await assistants.patch(req.path_params["assistant_id"], req.data, access(req))
        )

    async def delete(req: Request) -> Response:
        await assistants.delete(req.path_params["assistant_id"], access(req))
        return empty()

    async def versions(req: Request) -> Response:
        return json_response(
            await assistants.versions(req.path_params["assistant_id"], req.data, access(req))
        )

    async def latest(req: Request) -> Response:
        body: AssistantSetLatest = req.data
        return json_response(
            await assistants.set_latest(req.path_params["assistant_id"], body.version, access(req))
        )

    async def graph(req: Request) -> Response:
        query: GraphQuery = req.data
        return json_response(
            await graphs.graph(req.path_params["assistant_id"], query.xray, access(req))
        )

    async def schemas(req: Request) -> Response:
        return json_response(await graphs.schemas(req.path_params["assistant_id"], access(req)))

    async def subgraphs(req: Request) -> Response:
        query: SubgraphsQuery = req.data
        namespace = req.path_params.get("namespace")
        return json_response(
            await graphs.subgraphs(
                req.path_params["assistant_id"], namespace, query.recurse, access(req)
            )
        )

    tags = ("Assistants",)
    return [
        Route(
            "POST",
            "/assistants",
            create,
            body=AssistantCreate,
            tags=tags,
            summary="Create an assistant",
        ),
        Route(
            "POST",
            "/assistants/search",
            search,
            body=AssistantSearch,
            tags=tags,
            summary="Search assistants",
        ),
        Route(
            "POST",
            "/assistants/count",
            count,
            body=AssistantCount,
            tags=tags,
            summary="Count assistants",
        ),
        Route("GET", ID, get, tags=tags, summary="Get an assistant"),
        Route(
            "PATCH",
            ID,
            patch,
            body=AssistantPatch,
            tags=tags,
            summary="Patch an assistant (creates a new version)",
        ),
        Route("DELETE", ID, delete, tags=tags, summary="Delete an assistant"),
        Route(
            "POST",
            ID + "/versions",
            versions,
            body=AssistantVersionsSearch,
            tags=tags,
            summary="List an assistant's versions",
        ),
        Route(
            "POST",
            ID + "/latest",
            latest,
            body=AssistantSetLatest,
            tags=tags,
            summary="Set the latest version",
        ),
        Route(
            "GET",
            "/assistants/{assistant_id}/graph",
            graph,
            query=GraphQuery,
            tags=tags,
            summary="Draw the assistant's graph (a graph id is accepted)",
        ),
        Route("GET", ID + "/schemas", schemas, tags=tags, summary="Get the graph's schemas"),
        Route(
            "GET",
            ID + "/subgraphs",
            subgraphs,
            query=SubgraphsQuery,
            tags=tags,
            summary="List subgraphs",
        ),
        Route(
            "GET",
            ID + "/subgraphs/{namespace}",
            subgraphs,
            query=SubgraphsQuery,
            tags=tags,
            summary="Get one subgraph's schemas",
        ),
    ]
