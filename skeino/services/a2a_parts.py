"""A2A messages ↔ LangChain messages, and the task objects built from a run's output.

A user message's text parts become human messages carrying the A2A `messageId` as their
id, its data parts top-level input keys. Every human message is stamped in
`additional_kwargs.a2a` with the task it starts (`task_start_id`) or continues (`task_id`),
so a context's history can say which task each later message belongs to, as the official
server does.
"""

from __future__ import annotations

import uuid
from typing import Any

from skeino.ids import now_iso
from skeino.jsonrpc import INVALID_PARAMS, RpcError
from skeino.services.a2a_files import (
    CONTENT_TYPE_NOT_SUPPORTED,
    MEDIA_BLOCKS,
    content_block,
    file_part,
)

USER_TYPES = {"human", "humanmessage", "humanmessagechunk"}
AGENT_TYPES = {"ai", "aimessage", "aimessagechunk"}
ROLE_TYPES = {"chat", "chatmessage", "chatmessagechunk"}
USER_ROLES = {"human", "user"}
AGENT_ROLES = {"agent", "assistant"}


def graph_input(
    parts: list[Any], role: str, message_id: str, stamp: dict[str, str]
) -> dict[str, Any]:
    """The run input of one A2A message: text parts as messages (or, beside files, one
    message of content blocks), data parts merged in as input keys."""
    speaker = "human" if role in ("user", "ROLE_USER") else "assistant"
    with_files = any(isinstance(part, dict) and "file" in part for part in parts)
    contents: list[Any] = []
    data: dict[str, Any] = {}
    for part in parts:
        if not isinstance(part, dict):
            raise RpcError(CONTENT_TYPE_NOT_SUPPORTED, "Each message part must be an object.")
        present = [key for key in ("text", "file", "data") if key in part]
        if len(present) > 1:
            raise RpcError(
                CONTENT_TYPE_NOT_SUPPORTED,
                f"Each message part must contain exactly one of 'text', 'file', or 'data'. "
                f"Got multiple: {present}.",
            )
        if "text" in part:
            contents.append({"type": "text", "text": part["text"]} if with_files else part["text"])
        elif "file" in part:
            contents.append(content_block(part))
        elif "data" in part and isinstance(part["data"], dict):
            data.update(part["data"])
        else:
            raise RpcError(
                CONTENT_TYPE_NOT_SUPPORTED,
                "DataPart must contain a JSON object in the 'data' field"
                if "data" in part
                else "Unsupported part type. A2A agents support 'text', 'data', and 'file' parts.",
            )
    if not contents and not data:
        raise RpcError(INVALID_PARAMS, "Message must contain at least one part")
    said = [contents] if with_files else contents
    messages = [
        {"role": speaker, "content": content, "id": message_id, "additional_kwargs": {"a2a": stamp}}
        for content in said
    ]
    return {**({"messages": messages} if messages else {}), **data}


def role_of(message: Any) -> str | None:
    """`user` or `agent` for public human and AI turns; None for system and tool messages."""
    if not isinstance(message, dict):
        return None
    kind = _label(message.get("type"))
    said = _label(message.get("role"))
    by_type = "user" if kind in USER_TYPES else "agent" if kind in AGENT_TYPES else None
    if kind and by_type is None and kind not in ROLE_TYPES:
        return None
    by_role = "user" if said in USER_ROLES else "agent" if said in AGENT_ROLES else None
    if said and by_role is None:
        return None
    if by_type and by_role and by_type != by_role:
        return None
    return by_type or by_role


def _label(value: Any) -> str:
    return value.lower().replace("_", "").replace("-", "") if isinstance(value, str) else ""


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            block if isinstance(block, str) else str(block.get("text", ""))
            for block in content
            if isinstance(block, str) or (isinstance(block, dict) and block.get("type") == "text")
        )
    return "" if content is None else str(content)


def parts_of(content: Any) -> list[dict[str, Any]]:
    """Text and file parts of a message's content, in order; other blocks are left out."""
    if content is None:
        return []
    if not isinstance(content, list):
        return [{"kind": "text", "text": text_of(content)}]
    parts: list[dict[str, Any]] = []
    for block in content:
        kind = block.get("type") if isinstance(block, dict) else None
        shown = file_part(block) if kind in MEDIA_BLOCKS else None
        if shown is not None:
            parts.append(shown)
        elif isinstance(block, str) or kind == "text":
            words = text_of([block])
            if parts and parts[-1]["kind"] == "text":
                parts[-1] = {"kind": "text", "text": parts[-1]["text"] + words}
            else:
                parts.append({"kind": "text", "text": words})
    return parts


def has_content(parts: list[dict[str, Any]]) -> bool:
    return any(part["kind"] != "text" or part["text"] for part in parts)


def agent_message(text: str, task_id: str, context_id: str | None = None) -> dict[str, Any]:
    """A status message written by the server itself (a fresh id each time, as upstream)."""
    message = {
        "kind": "message",
        "role": "agent",
        "parts": [{"kind": "text", "text": text}],
        "messageId": str(uuid.uuid4()),
        "taskId": task_id,
    }
    return message if context_id is None else {**message, "contextId": context_id}


def history(
    messages: list[Any],
    task_id: str,
    context_id: str,
    task_ids: dict[str, str],
    length: int | None = None,
    scope: str = "context",
) -> list[dict[str, Any]]:
    """The context's conversation as A2A messages, each tagged with the task it belongs to.

    A stamped human message starts a segment; what follows belongs to its task until the
    next stamp. Messages of tasks no longer known (another assistant's) are left out, and
    with the `task` scope every message of another task."""
    known = set(task_ids.values())
    current: str | None = task_id if scope == "context" else None
    shown: list[dict[str, Any]] = []
    for message in messages:
        stamp = (
            ((message.get("additional_kwargs") or {}).get("a2a") or {})
            if isinstance(message, dict)
            else {}
        )
        if stamp.get("task_id"):
            current = stamp["task_id"] if stamp["task_id"] in known | {task_id} else None
        elif stamp.get("task_start_id"):
            current = task_ids.get(stamp["task_start_id"])
        role = role_of(message)
        if current is None or role is None:
            continue
        parts = parts_of(message.get("content", ""))
        if role == "agent" and not has_content(parts):
            continue
        shown.append(
            {
                "kind": "message",
                "role": role,
                "parts": parts or [{"kind": "text", "text": ""}],
                "messageId": message.get("id") or str(uuid.uuid4()),
                "taskId": current,
                "contextId": context_id,
            }
        )
    if scope == "task":
        shown = [message for message in shown if message["taskId"] == task_id]
    if length is None:
        return shown
    return shown[-length:] if length else []


def reply_parts(output: Any) -> list[dict[str, Any]]:
    """The answer of a run: the last agent message after the last user message."""
    messages = output.get("messages") if isinstance(output, dict) else None
    if not isinstance(messages, list) or not messages or "__error__" in output:
        return [{"kind": "text", "text": repr(output)}]
    turn = messages
    for index in range(len(messages) - 1, -1, -1):
        if role_of(messages[index]) == "user":
            turn = messages[index + 1 :]
            break
    for message in reversed(turn):
        if role_of(message) == "agent" and "content" in message:
            parts = parts_of(message["content"])
            if has_content(parts):
                return parts
    return [{"kind": "text", "text": ""}]


def response_artifact(parts: list[dict[str, Any]], assistant_id: str) -> dict[str, Any]:
    return {
        "artifactId": str(uuid.uuid4()),
        "name": "Assistant Response",
        "description": f"Response from assistant {assistant_id}",
        "parts": parts,
    }


def interrupt_artifact(interrupts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "artifactId": str(uuid.uuid4()),
        "name": "Interrupt",
        "description": "Agent requires input to continue",
        "parts": [
            {"kind": "data", "data": {"id": item.get("id"), "value": item.get("value")}}
            for item in interrupts
        ],
    }


def outcome(output: Any, task_id: str, context_id: str, assistant_id: str) -> dict[str, Any]:
    """`status` and `artifacts` of a finished `message/send`: failed, input-required or
    completed, from the run's output."""
    if isinstance(output, dict) and "__error__" in output:
        text = f"Error executing assistant: {output['__error__'].get('error')}"
        return {"status": {"state": "failed", "message": agent_message(text, task_id, context_id)}}
    if isinstance(output, dict) and "__interrupt__" in output:
        return {
            "status": {"state": "input-required", "timestamp": now_iso()},
            "artifacts": [interrupt_artifact(output["__interrupt__"])],
        }
    return {
        "status": {"state": "completed", "timestamp": now_iso()},
        "artifacts": [response_artifact(reply_parts(output), assistant_id)],
    }
