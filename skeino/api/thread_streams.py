"""The thread-centric stream protocol: `POST /threads/{id}/commands`, and the thread's
events over SSE (`POST /threads/{id}/stream/events`) or a WebSocket on the same path."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import anyio
import orjson

from skeino.api.common import access
from skeino.http.request import Request
from skeino.http.responses import Response, dumps, error, json_response
from skeino.http.router import Route
from skeino.http.sse import EventStreamResponse, encode_event
from skeino.http.websocket import INTERNAL_ERROR, WebSocket
from skeino.models.runs import ThreadStreamQuery
from skeino.models.thread_streams import EventStreamRequest, ProtocolCommand
from skeino.runs.subscription import Envelope
from skeino.services.container import Services
from skeino.services.thread_commands import ThreadCommands
from skeino.services.thread_streams import Connection, Event, ThreadStreams, failure
from skeino.types import ASGIApp, Receive, Scope, Send

T = TypeVar("T")
THREAD_STREAM = "/threads/{thread_id:uuid}/stream"
EVENTS = THREAD_STREAM + "/events"
COMMANDS = "/threads/{thread_id:uuid}/commands"
MALFORMED = "Protocol commands must include an integer id and string method."
NOT_JSON = "Protocol commands must be valid JSON."
STREAM_ID = re.compile(r"^(\d+(-(\d+|\*))?|-)$")  # what upstream takes as a Last-Event-ID


def _decode(raw: bytes | str) -> tuple[Any, bool]:
    try:
        return orjson.loads(raw), True
    except orjson.JSONDecodeError:
        return None, False


async def _parsed(
    req: Request, build: Callable[[Any], T], refuse: Callable[[Any, str], Response]
) -> T | Response:
    """The body built into a request, or the answer refusing it (400 for invalid JSON)."""
    body, ok = _decode(await req.body())
    if not ok:
        return error(400, "Invalid JSON body")
    try:
        return build(body)
    except ValueError as exc:
        return refuse(body, str(exc))


def _api_url(req: Request) -> str:
    """The server's URL as a graph sees it (`ws://` of a socket is `http://`)."""
    url = req.base_url
    return "http" + url[2:] if url.startswith("ws") else url


def _malformed(payload: Any) -> Event:
    ident = payload.get("id") if isinstance(payload, dict) else None
    return failure(ident, "invalid_argument", MALFORMED)


async def _frames(events: AsyncIterator[Event]) -> AsyncIterator[bytes]:
    """Each event named by its method, its SSE id its `seq` (what `since` names)."""
    async for event in events:
        yield encode_event(event["method"], dumps(event), str(event["seq"]))


async def _legacy_frames(envelopes: AsyncIterator[Envelope]) -> AsyncIterator[bytes]:
    async for item in envelopes:
        yield encode_event(item.event.event, item.event.data, item.id)


def routes(svc: Services) -> list[Route]:
    streams, heartbeat = svc.thread_streams, svc.settings.heartbeat_seconds

    async def thread_stream(req: Request) -> ASGIApp:
        query: ThreadStreamQuery = req.data
        if query.unknown_mode is not None:
            return error(422, f"Invalid stream mode: {query.unknown_mode}")
        thread_id = req.path_params["thread_id"]
        await svc.threads.get(thread_id, access(req))
        last = req.header("last-event-id") or None
        if last is not None and not STREAM_ID.match(last):
            return error(422, "Invalid last-event-id: must be a valid Redis stream ID")
        if last is not None and last.endswith("-*"):
            last = last[:-2]
        envelopes = streams.legacy(thread_id, query.modes, last)
        return EventStreamResponse(_legacy_frames(envelopes), heartbeat_interval=heartbeat)

    async def events(req: Request) -> ASGIApp:
        request = await _parsed(req, EventStreamRequest.from_json, lambda _, exc: error(400, exc))
        if isinstance(request, Response):
            return request
        thread_id = req.path_params["thread_id"]
        await streams.check(thread_id, access(req))
        return EventStreamResponse(
            _frames(streams.events(thread_id, request)), heartbeat_interval=heartbeat
        )

    async def command(req: Request) -> Response:
        found = await _parsed(
            req, ProtocolCommand.from_json, lambda body, _: json_response(_malformed(body), 400)
        )
        if isinstance(found, Response):
            return found
        commands = ThreadCommands(
            svc.runs, req.path_params["thread_id"], access(req), _api_url(req)
        )
        return json_response(await commands.handle(found))

    tags = ("Thread Streams",)
    return [
        Route(
            "GET",
            THREAD_STREAM,
            thread_stream,
            query=ThreadStreamQuery,
            tags=("Thread Runs",),
            summary="Stream every run of a thread",
        ),
        Route("POST", EVENTS, events, tags=tags, summary="Stream a thread's protocol events"),
        Route("POST", COMMANDS, command, tags=tags, summary="Send a thread-protocol command"),
    ]


def socket_routes(svc: Services) -> list[Route]:
    """WebSocket endpoints: each handler answers with the ASGI app serving the socket."""

    async def events(req: Request) -> ASGIApp:
        thread_id = req.path_params["thread_id"]
        caller = access(req)
        await svc.thread_streams.check(thread_id, caller)
        commands = ThreadCommands(svc.runs, thread_id, caller, _api_url(req))

        async def serve(scope: Scope, receive: Receive, send: Send) -> None:
            socket = WebSocket(scope, receive, send)
            if await socket.accept():
                await _converse(socket, svc.thread_streams, commands)

        return serve

    return [Route("WEBSOCKET", EVENTS, events, summary="Thread events and commands")]


async def _converse(socket: WebSocket, streams: ThreadStreams, commands: ThreadCommands) -> None:
    """Commands in, answers and subscribed events out, until either side hangs up."""
    connection = Connection(
        commands.thread_id,
        send=lambda event: socket.send_text(dumps(event).decode()),
        hang_up=lambda: socket.close(1001, "server shutting down"),
    )
    commands.connection = connection

    subscribed = anyio.Event()

    async def pump() -> None:
        await streams.pump(connection, subscribed)
        socket.close(INTERNAL_ERROR, "thread stream ended")

    async with anyio.create_task_group() as tg:
        tg.start_soon(socket.run_sender)
        tg.start_soon(pump)
        while (raw := await socket.receive_text()) is not None:
            payload, ok = _decode(raw)
            if not ok:
                connection.send(failure(None, "invalid_argument", NOT_JSON))
                continue
            try:
                found = ProtocolCommand.from_json(payload)
            except ValueError:
                connection.send(_malformed(payload))
                continue
            connection.send(await commands.handle(found))
            if connection.subscriptions:
                subscribed.set()
        tg.cancel_scope.cancel()
