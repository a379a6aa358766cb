"""`/mcp`: the Model Context Protocol over streamable HTTP, stateless, JSON answers only.

Framing errors are 400 with `{"error": ...}`, notifications and responses 202, `GET`
(no server-initiated stream) 405 and `DELETE` (no sessions) 404, all as the official
server answers; a JSON-RPC error is a 200 whose body carries it.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import orjson

from skeino.api.common import access
from skeino.http.request import Request
from skeino.http.responses import Response, empty, json_response
from skeino.http.router import Route
from skeino.jsonrpc import INVALID_PARAMS, METHOD_NOT_FOUND, RpcError, fault, reply
from skeino.services.container import Services
from skeino.services.mcp import McpService, negotiate

SERVER_NAME = "LangGraph"
NOT_A_MESSAGE = (
    "Invalid message format. A message is to be either a JSON-RPC request, response, or "
    "notification.Please see the Messages section of the Streamable HTTP RFC for more "
    "information."
)


def framing_error(message: str) -> Response:
    return json_response({"error": message}, 400)


def accepts_json_or_sse(req: Request) -> bool:
    accept = req.header("accept") or ""
    return "application/json" in accept or "text/event-stream" in accept


def routes(svc: Services) -> list[Route]:
    server_version = version("skeino")
    mcp = McpService(svc.assistants, svc.introspection, svc.runs)

    async def call(req: Request, method: str, params: dict[str, Any]) -> Any:
        if method == "initialize":
            return {
                "protocolVersion": negotiate(params.get("protocolVersion")),
                "capabilities": {"tools": {"listChanged": False}},
                "serverInfo": {"name": SERVER_NAME, "version": server_version},
            }
        if method == "ping":
            return {}
        if method == "tools/list":
            return await mcp.tools(params.get("cursor"), access(req))
        if method == "tools/call":
            return await mcp.call(
                params.get("name"),
                params.get("arguments", {}),
                params.get("context"),
                access(req),
            )
        raise RpcError(METHOD_NOT_FOUND, f"Method not found: {method}")

    async def post(req: Request) -> Response:
        try:
            message = orjson.loads(await req.body())
        except orjson.JSONDecodeError:
            return framing_error("Invalid JSON")
        if not accepts_json_or_sse(req):
            return framing_error("Accept header must include application/json or text/event-stream")
        if not isinstance(message, dict):
            return framing_error("Invalid message format.")
        if message.get("jsonrpc") != "2.0":
            return framing_error("Invalid JSON-RPC message. Missing or invalid jsonrpc version.")
        request_id, method = message.get("id"), message.get("method")
        if request_id is None or not method:  # a notification or a response: nothing to say
            return empty(202) if request_id is not None or method else framing_error(NOT_A_MESSAGE)
        params = message.get("params", {})
        try:
            if not isinstance(params, dict):
                raise RpcError(INVALID_PARAMS, "params must be an object")
            return json_response(reply(request_id, await call(req, str(method), params)))
        except RpcError as exc:
            return json_response(fault(request_id, exc.code, exc.message))

    async def get(req: Request) -> Response:
        return empty(405)

    async def delete(req: Request) -> Response:
        return empty(404)

    tags = ("MCP",)
    return [
        Route("POST", "/mcp", post, tags=tags, summary="MCP JSON-RPC: assistants as tools"),
        Route("GET", "/mcp", get, tags=tags, summary="MCP server stream (not offered: 405)"),
        Route("DELETE", "/mcp", delete, tags=tags, summary="MCP session end (no sessions: 404)"),
    ]
