"""The A2A agent card of one assistant: who it is, where to reach it, what it takes."""

from __future__ import annotations

from typing import Any

from skeino.auth.authorize import Access
from skeino.errors import InvalidInput, NotFound
from skeino.ids import is_uuid
from skeino.jsonrpc import INVALID_PARAMS, RpcError
from skeino.services.assistants import AssistantService
from skeino.services.introspection import IntrospectionService

MODES = ("application/json", "text/plain")
HISTORY_SCOPE = {
    "uri": "https://langchain.com/a2a/extensions/history-scope/v1",
    "description": "Choose task-only or full-context response history",
    "required": False,
    "params": {
        "header": "LangGraph-A2A-History-Scope",
        "values": ["context", "task"],
        "default": "context",
        "methods": ["SendMessage", "GetTask", "ListTasks"],
    },
}


async def assistant_of(
    assistants: AssistantService, assistant_id: str, access: Access | None
) -> dict[str, Any]:
    """The assistant an A2A request addresses, or the JSON-RPC error upstream answers."""
    if not is_uuid(assistant_id):
        raise RpcError(
            INVALID_PARAMS,
            f"Failed to get assistant '{assistant_id}': Invalid assistant ID: must be a UUID",
        )
    try:
        return dict(await assistants.get(assistant_id, access))
    except NotFound:
        raise RpcError(INVALID_PARAMS, f"Assistant '{assistant_id}' not found") from None


def _modes(assistant: dict[str, Any], field: str) -> list[str]:
    """`metadata.a2a.input_modes` / `output_modes` override the defaults."""
    a2a = (assistant.get("metadata") or {}).get("a2a")
    value = a2a.get(field) if isinstance(a2a, dict) else None
    if value is None:
        return list(MODES)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"Assistant metadata.a2a.{field} must be a non-empty array of strings.")
    return [mode.strip() for mode in value]


async def agent_card(
    assistants: AssistantService,
    introspection: IntrospectionService,
    assistant_id: str,
    base_url: str,
    server_version: str,
    access: Access | None,
) -> dict[str, Any]:
    assistant = await assistant_of(assistants, assistant_id, access)
    schemas = await introspection.schemas(assistant_id, access)
    schema = schemas.get("input_schema") or schemas.get("state_schema") or {}
    properties = schema.get("properties", {})
    name = assistant["name"]
    description = assistant.get("description") or f"{name} assistant"
    try:
        inputs, outputs = _modes(assistant, "input_modes"), _modes(assistant, "output_modes")
    except InvalidInput as exc:
        raise RpcError(INVALID_PARAMS, exc.detail) from None
    url = f"{base_url.rstrip('/')}/a2a/{assistant_id}"
    return {
        "name": name,
        "description": description,
        "url": url,
        "supportedInterfaces": [
            {"url": url, "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}
        ],
        "capabilities": {
            "streaming": True,
            "pushNotifications": False,
            "stateTransitionHistory": False,
            "extensions": [HISTORY_SCOPE],
        },
        "defaultInputModes": inputs,
        "defaultOutputModes": outputs,
        "skills": [
            {
                "id": f"{assistant_id}-main",
                "name": f"{name} Capabilities",
                "description": description,
                "tags": ["assistant", "langgraph"],
                "examples": [],
                "inputModes": inputs,
                "outputModes": outputs,
                "metadata": {
                    "inputSchema": {
                        "required": schema.get("required", []),
                        "properties": sorted(properties),
                        "supportsA2A": "messages" in properties,
                    }
                },
            }
        ],
        "version": server_version,
    }
