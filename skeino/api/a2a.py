"""`/a2a/{assistant_id}`: the Agent2Agent protocol (JSON-RPC, v0.3 and v1.0 method names)
and agent cards.

As on the official server, JSON-RPC errors (malformed JSON included) are answered with
200 and the error object; only a missing `Accept` is a 400. Unexpected failures become an
internal-error object, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from importlib.metadata import version
from typing import Any

import orjson

from skeino.api.a2a_wire import V1_METHODS, present
from skeino.api.common import access
from skeino.http.request import Request
from skeino.http.responses import Response, dumps, empty, json_response
from skeino.http.router import Route
from skeino.http.sse import EventStreamResponse, encode_event
from skeino.ids import is_uuid
from skeino.jsonrpc import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    RequestId,
    RpcError,
    fault,
    reply,
)
from skeino.services.a2a import A2AService
from skeino.services.a2a_card import agent_card
from skeino.services.container import Services
from skeino.types import ASGIApp

logger = logging.getLogger("skeino.a2a")
METHODS = frozenset(
    {"message/send", "message/stream", "tasks/get", "tasks/cancel"}
    | {"ListTasks", "GetExtendedAgentCard"}  # v1.0 only
)
SCOPE_HEADER = "LangGraph-A2A-History-Scope"
AGENT = "/a2a/{assistant_id}"


def accepts(req: Request, media_type: str) -> bool:
    """Whether `Accept` admits the media type (`*/*` and `type/*` included)."""
    for entry in (req.header("accept") or "").lower().split(","):
        candidate = entry.split(";", 1)[0].strip()
        if candidate in ("*/*", media_type) or (
            candidate.endswith("/*") and media_type.startswith(candidate[:-1])
        ):
            return True
    return False


def check_envelope(message: Any) -> dict[str, Any] | None:
    """The JSON-RPC error of a message no method can take, else None (`message` has its
    method in v0.3 spelling)."""
    if not isinstance(message, dict):
        return fault(None, INVALID_REQUEST, "Invalid message format: expected object")
    request_id, method = message.get("id"), message.get("method")
    if message.get("jsonrpc") != "2.0":
        text = "Invalid JSON-RPC message: missing or invalid jsonrpc version"
        return fault(request_id, INVALID_REQUEST, text)
    if not isinstance(request_id, str | int | float | None):
        text = "Invalid JSON-RPC request: 'id' must be a string, number, or null"
        return fault(None, INVALID_REQUEST, text)
    if not isinstance(method, str | None):
        return fault(request_id, METHOD_NOT_FOUND, "Method not found: method must be a string")
    if method is not None and method not in METHODS:
        return fault(request_id, METHOD_NOT_FOUND, f"Method not found: {method}")
    params = message.get("params", {})
    if method in ("message/send", "message/stream"):
        if not isinstance(params, dict):
            return fault(request_id, INVALID_PARAMS, "Invalid params: must be an object")
        if not params.get("message") or not isinstance(params["message"], dict):
            return fault(request_id, INVALID_PARAMS, "Missing or invalid 'message' in params")
    return None


def routes(svc: Services) -> list[Route]:
    a2a = A2AService(svc.introspection, svc.state, svc.runs)
    server_version = version("skeino")

    async def answer(req: Request, method: str, params: dict[str, Any], agent: str) -> Any:
        """What a method answers, but `message/stream`, which streams."""
        scope = req.header(SCOPE_HEADER) or "context"
        if method == "message/send":
            return await a2a.send(agent, params, scope, access(req))
        if method == "tasks/get":
            return await a2a.get_task(agent, params, scope, access(req))
        if method == "ListTasks":
            return await a2a.list_tasks(agent, params, scope, access(req))
        if method == "GetExtendedAgentCard":
            return await card_of(req, agent)
        return await a2a.cancel_task(agent, params, access(req))

    async def frames(
        request_id: RequestId, events: AsyncIterator[Any], v1: bool
    ) -> AsyncIterator[bytes]:
        try:
            async for event in events:
                shown = present(event, v1, produced=True)
                yield encode_event("message", dumps(reply(request_id, shown)))
        except RpcError as exc:
            yield encode_event("message", dumps(fault(request_id, exc.code, exc.message)))
        except Exception:
            logger.exception("A2A message/stream failed")
            failed = fault(request_id, INTERNAL_ERROR, "Internal server error")
            yield encode_event("message", dumps(failed))

    async def post(req: Request) -> ASGIApp:
        try:
            message = orjson.loads(await req.body())
        except orjson.JSONDecodeError:
            return json_response(fault(None, PARSE_ERROR, "Invalid JSON payload"))
        named = message.get("method") if isinstance(message, dict) else None
        v1 = isinstance(named, str) and named in V1_METHODS
        if v1:
            message = {**message, "method": V1_METHODS[message["method"]]}
        refused = check_envelope(message)
        if refused is not None:
            return json_response(refused)
        request_id, method = message.get("id"), message.get("method")
        wanted = "text/event-stream" if method == "message/stream" else "application/json"
        if not accepts(req, wanted):
            suffix = " for streaming" if method == "message/stream" else ""
            return json_response({"error": f"Accept header must include {wanted}{suffix}"}, 400)
        if request_id is None or method is None:
            return _not_a_request(message)
        agent, params = req.path_params["assistant_id"], message.get("params", {})
        if not is_uuid(agent):
            return json_response(
                fault(request_id, INVALID_PARAMS, "Invalid assistant ID: must be a UUID")
            )
        if not isinstance(params, dict):
            return json_response(
                fault(request_id, INVALID_PARAMS, "Invalid params: must be an object")
            )
        if method == "message/stream":
            scope = req.header(SCOPE_HEADER) or "context"
            events = a2a.stream(agent, params, scope, access(req))
            return EventStreamResponse(
                frames(request_id, events, v1), heartbeat_interval=svc.settings.heartbeat_seconds
            )
        try:
            result = await answer(req, method, params, agent)
            produced = method == "message/send"
            return json_response(reply(request_id, present(result, v1, produced)))
        except RpcError as exc:
            return json_response(fault(request_id, exc.code, exc.message))
        except Exception:
            logger.exception("A2A %s failed", method)
            return json_response(fault(request_id, INTERNAL_ERROR, "Internal server error"))

    async def card_of(req: Request, agent: str) -> dict[str, Any]:
        return await agent_card(
            svc.assistants, svc.introspection, agent, req.base_url, server_version, access(req)
        )

    async def card(req: Request) -> Response:
        agent = req.path_params.get("assistant_id") or req.query_one("assistant_id")
        try:
            if not agent:
                raise RpcError(INVALID_PARAMS, "Missing required query parameter: assistant_id")
            return json_response(await card_of(req, agent))
        except RpcError as exc:
            return json_response({"error": {"code": exc.code, "message": exc.message}}, 400)

    async def delete(req: Request) -> Response:
        return empty(405)

    tags = ("A2A",)
    table: list[Route] = []
    for path in (AGENT, AGENT + "/"):
        table += [
            Route("POST", path, post, tags=tags, summary="A2A JSON-RPC of one assistant"),
            Route("GET", path, card, tags=tags, summary="The assistant's agent card"),
            Route("DELETE", path, delete, tags=tags, summary="No A2A sessions to end (405)"),
        ]
    for path in (AGENT + "/.well-known/agent-card.json", AGENT + "/.well-known/agent.json"):
        table.append(Route("GET", path, card, tags=tags, summary="The assistant's agent card"))
    table.append(
        Route(
            "GET",
            "/.well-known/agent-card.json",
            card,
            tags=tags,
            summary="An agent card, by `?assistant_id=`",
        )
    )
    return table


def _not_a_request(message: dict[str, Any]) -> Response:
    """A response is acknowledged; anything else without an id and method is refused."""
    request_id = message.get("id")
    if request_id is not None and ("result" in message or "error" in message):
        return empty(202)
    if request_id is not None:
        text = "Invalid JSON-RPC request: missing 'method' field"
        return json_response(fault(request_id, INVALID_REQUEST, text))
    text = "Invalid message format: must be a JSON-RPC request or notification"
    return json_response(fault(None, INVALID_REQUEST, text))
