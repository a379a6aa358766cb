"""`/threads` routes, state and history included."""

from __future__ import annotations

from skeino.api.common import access, paged_response, thread_json
from skeino.http.request import Request
from skeino.http.responses import Response, empty, error, json_response
from skeino.http.router import Route
from skeino.models.threads import (
    HistorySearch,
    StateAtCheckpoint,
    StateQuery,
    StateUpdate,
    ThreadCount,
    ThreadCreate,
    ThreadGetQuery,
    ThreadPatch,
    ThreadPrune,
    ThreadSearch,
)
from skeino.services.container import Services

ID = "/threads/{thread_id:uuid}"
COPY_HIDES = ("error", "interrupts", "values")  # the official copy answer omits values
UNMEASURED = "Checkpoint storage is only reported for the built-in checkpointers."


def routes(svc: Services) -> list[Route]:
    threads, state = svc.threads, svc.state

    async def create(req: Request) -> Response:
        return json_response(thread_json(await state.create_thread(req.data, access(req))))

    async def search(req: Request) -> Response:
        return paged_response(await threads.search(req.data, access(req)), thread_json)

    async def count(req: Request) -> Response:
        return json_response(await threads.count(req.data, access(req)))

    async def prune(req: Request) -> Response:
        return json_response({"pruned_count": await threads.prune(req.data, access(req))})

    async def get(req: Request) -> Response:
        return json_response(
            thread_json(await threads.get(req.path_params["thread_id"], access(req)))
        )

    async def patch(req: Request) -> Response:
        thread = await threads.patch(req.path_params["thread_id"], req.data, access(req))
        if req.header("prefer") == "return=minimal":
            return empty()
        return json_response(thread_json(thread))

    async def delete(req: Request) -> Response:
        await svc.runs.delete_thread(req.path_params["thread_id"], access(req))
        return empty()

    async def copy(req: Request) -> Response:
        return json_response(
            thread_json(await threads.copy(req.path_params["thread_id"], access(req)), COPY_HIDES)
        )

    async def get_state(req: Request) -> Response:
        query: StateQuery = req.data
        return json_response(
            await state.get(req.path_params["thread_id"], query.subgraphs, access=access(req))
        )

    async def get_state_at(req: Request) -> Response:
        query: StateQuery = req.data
        checkpoint = {"checkpoint_id": req.path_params["checkpoint_id"]}
        return json_response(
            await state.get(req.path_params["thread_id"], query.subgraphs, checkpoint, access(req))
        )

    async def post_state_at(req: Request) -> Response:
        body: StateAtCheckpoint = req.data
        return json_response(
            await state.get(
                req.path_params["thread_id"], body.subgraphs, body.checkpoint, access(req)
            )
        )

    async def update_state(req: Request) -> Response:
        thread_id = req.path_params["thread_id"]
        updated = await state.update(thread_id, req.data, access(req))
        await svc.thread_streams.state_updated(thread_id, access(req))
        return json_response(updated)

    async def storage(req: Request) -> Response:
        size = await threads.storage_size(req.path_params["thread_id"], access(req))
        if size is None:
            return error(501, UNMEASURED)
        return json_response(size)

    async def get_history(req: Request) -> Response:
        return json_response(
            await state.history(req.path_params["thread_id"], req.data, access(req))
        )

    tags = ("Threads",)
    return [
        Route("POST", "/threads", create, body=ThreadCreate, tags=tags, summary="Create a thread"),
        Route(
            "POST",
            "/threads/search",
            search,
            body=ThreadSearch,
            tags=tags,
            summary="Search threads",
        ),
        Route(
            "POST", "/threads/count", count, body=ThreadCount, tags=tags, summary="Count threads"
        ),
        Route(
            "POST", "/threads/prune", prune, body=ThreadPrune, tags=tags, summary="Prune threads"
        ),
        Route("GET", ID, get, query=ThreadGetQuery, tags=tags, summary="Get a thread"),
        Route("PATCH", ID, patch, body=ThreadPatch, tags=tags, summary="Patch a thread"),
        Route("DELETE", ID, delete, tags=tags, summary="Delete a thread and its runs"),
        Route("POST", ID + "/copy", copy, tags=tags, summary="Copy a thread with its history"),
        Route(
            "GET",
            ID + "/state",
            get_state,
            query=StateQuery,
            tags=tags,
            summary="Get the thread's latest state",
        ),
        Route(
            "POST",
            ID + "/state",
            update_state,
            body=StateUpdate,
            tags=tags,
            summary="Update the thread's state",
        ),
        Route(
            "POST",
            ID + "/state/checkpoint",
            post_state_at,
            body=StateAtCheckpoint,
            tags=tags,
            summary="Get the state at a checkpoint",
        ),
        Route(
            "GET",
            ID + "/state/{checkpoint_id}",
            get_state_at,
            query=StateQuery,
            tags=tags,
            summary="Get the state at a checkpoint id",
        ),
        Route(
            "GET",
            ID + "/storage",
            storage,
            tags=tags,
            summary="Bytes the thread's checkpoints occupy, per table and channel",
        ),
        Route(
            "GET",
            ID + "/history",
            get_history,
            query=HistorySearch,
            tags=tags,
            summary="List the thread's checkpoints",
        ),
        Route(
            "POST",
            ID + "/history",
            get_history,
            body=HistorySearch,
            tags=tags,
            summary="List the thread's checkpoints",
        ),
    ]
