"""JSON-RPC 2.0 pieces that MCP and A2A share: error codes, the error services raise, and
the two envelopes.

The protocols classify messages differently (MCP accepts notifications, A2A answers them
as invalid), so each edge does its own routing; only the wire shapes live here.
"""

from __future__ import annotations

from typing import Any

import orjson

from skeino.http.responses import dumps

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

RequestId = str | int | float | None


class RpcError(Exception):
    """A JSON-RPC error object: raised by services, answered with HTTP 200 by the edge."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def plain(value: Any) -> Any:
    """A value as JSON types (LangChain messages as dicts), as a client decodes an answer."""
    return orjson.loads(dumps(value))


def reply(request_id: RequestId, result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def fault(request_id: RequestId, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}
