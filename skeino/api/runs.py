"""Runs: create (background, stream, wait), list, get, cancel, join, and stream joins."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from skeino.api.common import access, run_json
from skeino.errors import NotFound
from skeino.http.headers import configurable_headers
from skeino.http.request import Request
from skeino.http.responses import Response, dumps, empty, error, json_response
from skeino.http.router import Route
from skeino.http.sse import MAX_BATCH, EventStreamResponse, encode_event, stream_headers
from skeino.http.waiting import WaitResponse
from skeino.models.runs import (
    BulkCancel,
    CancelQuery,
    JoinStreamQuery,
    RunCreate,
    RunListQuery,
)
from skeino.runs.broker import SLOW_CONSUMER
from skeino.runs.bus import Source
from skeino.runs.config import Origin
from skeino.runs.subscription import Envelope
from skeino.services.container import Services
from skeino.services.paging import select
from skeino.settings import HeaderPatterns
from skeino.storage.base import Run
from skeino.types import ASGIApp

THREAD = "/threads/{thread_id:uuid}"
RUN = THREAD + "/runs/{run_id:uuid}"
MISSING_RUN = {"error": "HTTPException", "message": "404: Run not found"}
HIDDEN_THREAD = "Thread not found"  # a join of another user's run, as upstream answers


def _run_path(run: Run, stateless: bool) -> str:
    if stateless:
        return f"/runs/{run['run_id']}"
    return f"/threads/{run['thread_id']}/runs/{run['run_id']}"


async def frames(sub: Source, resumable: bool, modes: Sequence[str] = ()) -> AsyncIterator[bytes]:
    """SSE frames of a subscription (only `modes`, when given), all that is queued at once
    as one chunk of at most `MAX_BATCH` frames; a reader cut off for lagging gets a last
    `error`."""
    modes = [mode for mode in modes if mode]  # the SDK sends `stream_mode=` for "all"
    async for first in sub:
        batch: list[bytes] = []
        item: Envelope | None = first
        while item is not None:
            if _wanted(item.event.event, modes):
                batch.append(
                    encode_event(item.event.event, item.event.data, item.id if resumable else None)
                )
            item = sub.ready() if len(batch) < MAX_BATCH else None
        if batch:
            yield b"".join(batch)
    if sub.overflowed:
        yield encode_event(SLOW_CONSUMER.event, SLOW_CONSUMER.data)


def _wanted(event: str, modes: Sequence[str]) -> bool:
    """A join's `stream_mode` filter: `messages` covers `messages/*`, errors always pass."""
    if not modes or event == "error":
        return True
    base = event.partition("|")[0]
    if base == "messages" and "messages-tuple" in modes:
        return True
    return base in modes or base.partition("/")[0] in modes


def _locations(run: Run, leaf: str) -> dict[str, str]:
    return _paths(run["thread_id"], run["run_id"], leaf)


def _paths(thread_id: str, run_id: str, leaf: str) -> dict[str, str]:
    path = f"/threads/{thread_id}/runs/{run_id}"
    return {"Location": f"{path}/{leaf}", "Content-Location": path}


async def _missing_run(message: str = MISSING_RUN["message"]) -> AsyncIterator[bytes]:
    """Upstream answers a join of an unknown run with 200 and this error, not a 404."""
    yield encode_event("error", dumps({"error": "HTTPException", "message": message}))


def origin(req: Request, patterns: HeaderPatterns | None = None) -> Origin:
    """Where the runs of this request came from (one request id for a whole batch), with
    the headers `http.configurable_headers` lets through."""
    return Origin(
        api_url=req.base_url, headers=configurable_headers(req.scope["headers"], patterns)
    )


def routes(svc: Services) -> list[Route]:
    runs, bus, heartbeat = svc.runs, svc.bus, svc.settings.heartbeat_seconds
    patterns = svc.settings.configurable_headers

    def thread_of(req: Request) -> str | None:
        return req.path_params.get("thread_id")

    async def create(req: Request) -> Response:
        run, _ = await runs.create(
            thread_of(req), req.data, origin=origin(req, patterns), access=access(req)
        )
        path = _run_path(run, thread_of(req) is None)
        return json_response(run_json(run), headers={"Content-Location": path})

    async def stream(req: Request) -> ASGIApp:
        body: RunCreate = req.data
        run, sub = await runs.create(
            thread_of(req), body, subscribe=True, origin=origin(req, patterns), access=access(req)
        )
        assert sub is not None
        path = _run_path(run, thread_of(req) is None)

        async def disconnected() -> None:
            if body.on_disconnect == "cancel":
                await runs.cancel(run["thread_id"], run["run_id"], "interrupt")

        return EventStreamResponse(
            frames(sub, body.stream_resumable),
            headers=stream_headers(location=path + "/stream", content_location=path),
            heartbeat_interval=heartbeat,
            on_disconnect=disconnected,
        )

    async def wait(req: Request) -> ASGIApp:
        body: RunCreate = req.data
        run, _ = await runs.create(
            thread_of(req), body, origin=origin(req, patterns), access=access(req)
        )
        path = f"/threads/{run['thread_id']}/runs/{run['run_id']}"

        async def disconnected() -> None:
            if body.on_disconnect == "cancel":
                await runs.cancel(run["thread_id"], run["run_id"], "interrupt")

        return WaitResponse(
            lambda: runs.wait(run, queued_now=True),
            {"Location": path + "/join", "Content-Location": path},
            heartbeat,
            disconnected,
        )

    async def batch(req: Request) -> Response:
        batch_origin = origin(req, patterns)
        caller = access(req)
        created = [
            (await runs.create(None, body, origin=batch_origin, access=caller))[0]
            for body in req.data
        ]
        return json_response([run_json(run) for run in created])

    async def list_runs(req: Request) -> Response:
        query: RunListQuery = req.data
        found = await runs.list_runs(
            req.path_params["thread_id"], query.status, query.limit, query.offset, access(req)
        )
        return json_response(select([run_json(r) for r in found], query.select))

    async def get(req: Request) -> Response:
        run = await runs.get(req.path_params["thread_id"], req.path_params["run_id"], access(req))
        tokens = await svc.storage.get_run_usage(run["run_id"])
        headers = None if tokens is None else {"X-Tokens-Used": str(tokens)}  # skeino's own
        return json_response(run_json(run), headers=headers)

    async def delete(req: Request) -> Response:
        await runs.delete(req.path_params["thread_id"], req.path_params["run_id"], access(req))
        return empty()

    async def cancel(req: Request) -> Response:
        query: CancelQuery = req.data
        thread_id, run_id = req.path_params["thread_id"], req.path_params["run_id"]
        await runs.cancel(thread_id, run_id, query.action, wait=query.wait, access=access(req))
        if not query.wait:
            return empty(202)
        path = f"/threads/{thread_id}/runs/{run_id}"
        return json_response({}, headers={"Location": path + "/join", "Content-Location": path})

    async def cancel_many(req: Request) -> Response:
        body: BulkCancel = req.data
        await runs.cancel_many(body.thread_id, body.run_ids, body.status, body.action, access(req))
        return empty()

    async def found(req: Request) -> Run | None:
        try:
            return await runs.get(req.path_params["thread_id"], req.path_params["run_id"])
        except NotFound:
            return None

    async def hidden(req: Request) -> bool:
        """Whether the run's thread is another user's (never, without auth)."""
        caller = access(req)
        if caller is None:
            return False
        try:
            await svc.threads.get(req.path_params["thread_id"], caller)
        except NotFound:
            return True
        return False

    async def join(req: Request) -> ASGIApp:
        if await hidden(req):
            return error(404, HIDDEN_THREAD)
        run = await found(req)
        if run is None:  # upstream names the run it was asked for all the same
            where = _paths(req.path_params["thread_id"], req.path_params["run_id"], "join")
            return json_response({"__error__": MISSING_RUN}, headers=where)
        return WaitResponse(lambda: runs.wait(run), _locations(run, "join"), heartbeat)

    async def join_stream(req: Request) -> ASGIApp:
        query: JoinStreamQuery = req.data
        if await hidden(req):
            message = f"404: {HIDDEN_THREAD}"
            return EventStreamResponse(_missing_run(message), heartbeat_interval=heartbeat)
        run = await found(req)
        if run is None:
            return EventStreamResponse(_missing_run(), heartbeat_interval=heartbeat)
        sub = bus.subscribe(run["run_id"], req.header("last-event-id"))

        async def disconnected() -> None:
            bus.unsubscribe(run["run_id"], sub)
            if query.cancel_on_disconnect:
                await runs.cancel(run["thread_id"], run["run_id"], "interrupt")

        return EventStreamResponse(
            frames(sub, bool(run["kwargs"].get("resumable")), query.stream_mode),
            headers=_locations(run, "stream"),
            heartbeat_interval=heartbeat,
            on_disconnect=disconnected,
        )

    tags: tuple[str, ...] = ("Thread Runs",)
    stateless: tuple[str, ...] = ("Stateless Runs",)
    batch_body: Any = list[RunCreate]
    return [
        Route(
            "POST",
            THREAD + "/runs",
            create,
            body=RunCreate,
            tags=tags,
            summary="Create a background run",
        ),
        Route(
            "POST",
            THREAD + "/runs/stream",
            stream,
            body=RunCreate,
            tags=tags,
            summary="Create a run and stream its output",
        ),
        Route(
            "POST",
            THREAD + "/runs/wait",
            wait,
            body=RunCreate,
            tags=tags,
            summary="Create a run and wait for its output",
        ),
        Route(
            "GET",
            THREAD + "/runs",
            list_runs,
            query=RunListQuery,
            tags=tags,
            summary="List a thread's runs",
        ),
        Route("GET", RUN, get, tags=tags, summary="Get a run"),
        Route("DELETE", RUN, delete, tags=tags, summary="Delete a finished run"),
        Route(
            "POST", RUN + "/cancel", cancel, query=CancelQuery, tags=tags, summary="Cancel a run"
        ),
        Route("GET", RUN + "/join", join, tags=tags, summary="Wait for a run's output"),
        Route(
            "GET",
            RUN + "/stream",
            join_stream,
            query=JoinStreamQuery,
            tags=tags,
            summary="Join a run's stream",
        ),
        Route(
            "POST",
            "/runs",
            create,
            body=RunCreate,
            tags=stateless,
            summary="Create a stateless background run",
        ),
        Route(
            "POST",
            "/runs/stream",
            stream,
            body=RunCreate,
            tags=stateless,
            summary="Create a stateless run and stream its output",
        ),
        Route(
            "POST",
            "/runs/wait",
            wait,
            body=RunCreate,
            tags=stateless,
            summary="Create a stateless run and wait for its output",
        ),
        Route(
            "POST",
            "/runs/batch",
            batch,
            body=batch_body,
            tags=stateless,
            summary="Create several stateless runs",
        ),
        Route(
            "POST",
            "/runs/cancel",
            cancel_many,
            body=BulkCancel,
            tags=tags,
            summary="Cancel runs in bulk",
        ),
    ]
