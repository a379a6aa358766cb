"""State payloads as the thread-centric protocol shows them: messages in their wire shape.

The official server sends `values` and `updates` of a protocol stream with each message
reduced to what the protocol names (type, content blocks, id, name, a non-empty
`response_metadata`, tool fields and well-formed tool calls) and `__interrupt__` dropped
(interrupts travel on the `input` channel instead).
"""

from __future__ import annotations

import contextlib
from typing import Any

import orjson

MESSAGE_TYPES = frozenset({"human", "ai", "system", "tool", "function", "remove"})
ALIASES = {"user": "human", "assistant": "ai"}
BLOCK_TYPES = frozenset(
    {
        "text",
        "reasoning",
        "tool_call",
        "tool_call_chunk",
        "invalid_tool_call",
        "server_tool_call",
        "server_tool_call_chunk",
        "server_tool_call_result",
        "image",
        "audio",
        "video",
        "file",
        "non_standard",
    }
)


def state_payload(value: Any) -> Any:
    """A `values`/`updates` payload with its messages in protocol shape, recursively."""
    if isinstance(value, list):
        return [message(item) if _is_message(item) else state_payload(item) for item in value]
    if not isinstance(value, dict):
        return value
    shaped: dict[str, Any] = {}
    for key, entry in value.items():
        if key == "__interrupt__":
            continue
        if key == "messages" and isinstance(entry, list):
            shaped[key] = [message(item) if _is_message(item) else item for item in entry]
        else:
            shaped[key] = state_payload(entry)
    return shaped


def _kind(value: dict[str, Any]) -> str | None:
    raw = value.get("type")
    return ALIASES.get(raw, raw) if isinstance(raw, str) else None


def _is_message(value: Any) -> bool:
    return isinstance(value, dict) and _kind(value) in MESSAGE_TYPES


def message(value: dict[str, Any]) -> dict[str, Any]:
    kind = _kind(value)
    shaped: dict[str, Any] = {"type": kind, "content": content(value.get("content", ""))}
    for key in ("id", "name"):
        if isinstance(value.get(key), str):
            shaped[key] = value[key]
    if kind in ("ai", "human") and isinstance(value.get("example"), bool):
        shaped["example"] = value["example"]
    if isinstance(value.get("response_metadata"), dict) and value["response_metadata"]:
        shaped["response_metadata"] = value["response_metadata"]
    if kind == "tool":
        if isinstance(value.get("tool_call_id"), str):
            shaped["tool_call_id"] = value["tool_call_id"]
        if value.get("status") in ("success", "error"):
            shaped["status"] = value["status"]
        if "artifact" in value:
            shaped["artifact"] = value["artifact"]
    if kind == "ai":
        calls, invalid = tool_calls(value.get("tool_calls"))
        invalid += [
            _invalid(raw, raw.get("error")) for raw in _records(value.get("invalid_tool_calls"))
        ]
        if calls:
            shaped["tool_calls"] = calls
        if invalid:
            shaped["invalid_tool_calls"] = invalid
    return shaped


def content(value: Any) -> Any:
    """A string stays a string; a list becomes content blocks (unknown ones `non_standard`)."""
    if not isinstance(value, list):
        return value
    blocks = [b for b in map(_block, value) if b is not None]
    return blocks or value


def _block(entry: Any) -> dict[str, Any] | None:
    if isinstance(entry, str):
        return {"type": "text", "text": entry}
    if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
        return None
    if entry["type"] in BLOCK_TYPES:
        return entry
    if entry["type"] == "image_url":
        image = entry.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        return {"type": "image", "url": url} if isinstance(url, str) else None
    return {"type": "non_standard", "value": dict(entry)}


def _records(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def tool_calls(value: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Well-formed calls, and the ones without a name or with arguments that are no object."""
    calls: list[dict[str, Any]] = []
    invalid: list[dict[str, Any]] = []
    for raw in _records(value):
        args = raw.get("args")
        if isinstance(args, str):
            with contextlib.suppress(orjson.JSONDecodeError):
                args = orjson.loads(args) if args.strip() else {}
        if not isinstance(raw.get("name"), str):
            invalid.append(_invalid(raw, "Incomplete tool call."))
        elif not isinstance(args, dict):
            invalid.append(_invalid(raw, "Malformed args."))
        else:
            call = {"type": "tool_call", "name": raw["name"], "args": args}
            if isinstance(raw.get("id"), str):
                call["id"] = raw["id"]
            calls.append(call)
    return calls, invalid


def _invalid(raw: dict[str, Any], reason: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "invalid_tool_call"}
    for key in ("id", "name", "args"):
        if isinstance(raw.get(key), str):
            entry[key] = raw[key]
    entry["error"] = reason if isinstance(reason, str) else "Malformed args."
    return entry
