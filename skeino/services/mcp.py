"""Assistants as MCP tools: list them with their input schemas, call one as a stateless run.

As on the official server, a tool is named after its assistant (cleaned to MCP's tool-name
alphabet), an assistant whose graph has no input schema is left out of the list, a list
page holds 100 tools and the cursor is the next offset, and a call answers the run's
output as the Python `repr` of its JSON, or the error's name with `isError`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from skeino.auth.authorize import Access
from skeino.errors import SkeinoError
from skeino.jsonrpc import INVALID_PARAMS, RpcError, plain
from skeino.models.assistants import AssistantSearch
from skeino.models.runs import RunCreate
from skeino.runs.manager import RunManager
from skeino.services.assistants import AssistantService
from skeino.services.introspection import IntrospectionService

logger = logging.getLogger("skeino.mcp")

PAGE_SIZE = 100
MAX_ASSISTANTS = 1000
PROTOCOL_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
MESSAGE_TYPES = frozenset(
    f"{kind}{suffix}"
    for kind in ("AI", "Human", "Chat", "System", "Function", "Tool")
    for suffix in ("Message", "MessageChunk")
)
SUPPORT_TYPES = frozenset(
    {
        "ToolCall",
        "ToolCallChunk",
        "InvalidToolCall",
        "UsageMetadata",
        "InputTokenDetails",
        "OutputTokenDetails",
    }
)
ANNOTATIONS = {
    "readOnlyHint": False,
    "destructiveHint": False,
    "idempotentHint": False,
    "openWorldHint": True,
}


def negotiate(requested: Any) -> str:
    """The client's protocol version when we speak it, else our latest."""
    return requested if requested in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[-1]


def tool_name(assistant_name: str) -> str:
    """MCP tool names are `[a-zA-Z0-9_.-]{1,128}`: whitespace becomes `_`, the rest goes."""
    name = re.sub(r"\s+", "_", assistant_name.strip())
    return re.sub(r"[^a-zA-Z0-9_.\-]", "", name)[:128]


def simplify(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema a model can fill: a list of LangChain messages becomes one user string.

    Only schemas that define LangChain message types change; their message and support
    definitions are dropped."""
    defs = schema.get("$defs") or {}
    if not MESSAGE_TYPES & set(defs):
        return schema
    kept = {k: v for k, v in defs.items() if k not in MESSAGE_TYPES | SUPPORT_TYPES}
    simplified = {k: v for k, v in schema.items() if k != "$defs"}
    if kept:
        simplified["$defs"] = kept
    simplified["properties"] = {
        key: _as_user_message(key, prop) if _lists_messages(prop) else prop
        for key, prop in schema.get("properties", {}).items()
    }
    return simplified


def _lists_messages(prop: dict[str, Any]) -> bool:
    if prop.get("type") != "array":
        return False
    items = prop.get("items") or {}
    choices = items.get("oneOf") or items.get("anyOf") or []
    return any(
        str(choice.get("$ref", "")).removeprefix("#/$defs/") in MESSAGE_TYPES for choice in choices
    )


def _as_user_message(key: str, prop: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "string",
        "title": prop.get("title", key),
        "description": "The user message to send to the agent.",
    }


class McpService:
    def __init__(
        self,
        assistants: AssistantService,
        introspection: IntrospectionService,
        runs: RunManager,
    ) -> None:
        self.assistants = assistants
        self.introspection = introspection
        self.runs = runs

    async def tools(self, cursor: Any, access: Access | None) -> dict[str, Any]:
        """One page of tools; `nextCursor` when the page is full."""
        offset = _offset(cursor)
        page = await self.assistants.search(AssistantSearch(limit=PAGE_SIZE, offset=offset), access)
        seen: set[str] = set()
        tools: list[dict[str, Any]] = []
        for assistant in page.rows:
            name = tool_name(assistant["name"])
            if name in seen:
                logger.warning("duplicate MCP tool name %r: %s skipped", name, assistant["name"])
                continue
            seen.add(name)
            tool = await self._tool(assistant, name, access)
            if tool is not None:
                tools.append(tool)
        result: dict[str, Any] = {"tools": tools}
        if len(page.rows) == PAGE_SIZE:
            result["nextCursor"] = offset + PAGE_SIZE
        return result

    async def _tool(
        self, assistant: dict[str, Any], name: str, access: Access | None
    ) -> dict[str, Any] | None:
        """The tool of one assistant; None when its graph has no input schema."""
        try:
            schemas = await self.introspection.schemas(assistant["assistant_id"], access)
        except Exception:
            logger.warning("no schema for assistant %s", assistant["assistant_id"], exc_info=True)
            return None
        schema = schemas.get("input_schema")
        if schema is None:
            return None
        schema = simplify(schema) if schema else {}
        return {
            "name": name,
            "title": assistant["name"],
            "description": assistant.get("description")
            or f"Tool based on the {assistant['name']} assistant",
            "inputSchema": {**schema, "type": schema.get("type", "object")},
            "annotations": ANNOTATIONS,
        }

    async def call(
        self, name: Any, arguments: Any, context: Any, access: Access | None
    ) -> dict[str, Any]:
        """Run the named tool's assistant statelessly and wait for its output."""
        if not name:
            raise RpcError(INVALID_PARAMS, f"Unknown tool: {name}")
        page = await self.assistants.search(AssistantSearch(limit=MAX_ASSISTANTS), access)
        found = [a for a in page.rows if tool_name(a["name"]) == name]
        if not found:
            raise RpcError(INVALID_PARAMS, f"Unknown tool: {name}")
        if len(found) > 1:
            raise RpcError(INVALID_PARAMS, "Multiple tools found with the same name.")
        if context is not None and not isinstance(context, dict):
            raise RpcError(INVALID_PARAMS, "context must be an object")
        body = RunCreate(assistant_id=found[0]["assistant_id"], input=arguments, context=context)
        try:
            run, _ = await self.runs.create(None, body, access=access)
        except SkeinoError as exc:
            raise RpcError(INVALID_PARAMS, exc.detail) from None
        output = plain(await self.runs.wait(run))
        if isinstance(output, dict) and "__error__" in output:
            text = str(output["__error__"].get("error"))
            return {"isError": True, "content": [{"type": "text", "text": text}]}
        return {"content": [{"type": "text", "text": repr(output)}]}


def _offset(cursor: Any) -> int:
    """The official server reads the cursor as an int and starts over when it is not one."""
    try:
        return max(int(cursor or 0), 0)
    except (TypeError, ValueError):
        return 0
