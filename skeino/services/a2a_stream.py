"""`message/stream`: a task's events while its run executes, as the official server sends
them: the submitted task, a `working` status per token chunk (the agent message so far),
then the answer as an artifact and a final status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import orjson

from skeino.auth.authorize import Access
from skeino.ids import now_iso
from skeino.services.a2a_parts import (
    agent_message,
    interrupt_artifact,
    reply_parts,
    response_artifact,
    role_of,
    text_of,
)

if TYPE_CHECKING:
    from skeino.services.a2a import A2AService


def status_update(
    task_id: str, context_id: str, status: dict[str, Any], final: bool
) -> dict[str, Any]:
    return {
        "taskId": task_id,
        "contextId": context_id,
        "kind": "status-update",
        "status": status,
        "final": final,
    }


def artifact_update(task_id: str, context_id: str, artifact: dict[str, Any]) -> dict[str, Any]:
    return {
        "taskId": task_id,
        "contextId": context_id,
        "kind": "artifact-update",
        "artifact": artifact,
    }


def working(items: list[Any], task_id: str, context_id: str) -> dict[str, Any] | None:
    """A `working` update with the text of a `messages/*` chunk; None when it has none."""
    text = "".join(text_of(item.get("content")) for item in items if role_of(item) is not None)
    if not text:
        return None
    message = agent_message(text, task_id, context_id)
    status = {"state": "working", "message": message, "timestamp": now_iso()}
    return status_update(task_id, context_id, status, final=False)


async def task_events(
    service: A2AService,
    assistant_id: str,
    params: dict[str, Any],
    scope: str,
    access: Access | None,
) -> AsyncIterator[dict[str, Any]]:
    turn = await service.prepare(assistant_id, params, scope, access)
    run, source = await service.start(turn, access, subscribe=True)
    assert source is not None
    task_id, _ = await service.task_ids(turn, run, access)
    context_id = run["thread_id"]
    yield {
        "kind": "task",
        "id": task_id,
        "contextId": context_id,
        "history": [
            {"kind": "message", **turn.message, "taskId": task_id, "contextId": context_id}
        ],
        "status": {"state": "submitted", "timestamp": now_iso()},
    }
    result: Any = None
    failure: Any = None
    try:
        async for item in source:
            name, data = item.event.event, orjson.loads(item.event.data)
            if name == "error":
                failure = data
            elif name == "values":
                failure, result = None, data
            elif name.startswith("messages") and isinstance(data, list) and data:
                failure = None
                update = working(data, task_id, context_id)
                if update is not None:
                    yield update
    finally:  # a reader that went away stops listening; the task goes on
        service.runs.bus.unsubscribe(run["run_id"], source)
    for event in _ending(result, failure, task_id, context_id, assistant_id):
        yield event


def _ending(
    result: Any, failure: Any, task_id: str, context_id: str, assistant_id: str
) -> list[dict[str, Any]]:
    """Failed (with the error's message), waiting for input (the interrupts as an artifact)
    or completed (the answer as an artifact), then the final status."""
    status: dict[str, Any] = {"timestamp": now_iso()}
    events: list[dict[str, Any]] = []
    if isinstance(failure, dict):
        text = str(failure.get("message") or "")
        status |= {"state": "failed", "message": agent_message(text, task_id, context_id)}
    elif isinstance(result, dict) and "__interrupt__" in result:
        status["state"] = "input-required"
        events.append(
            artifact_update(task_id, context_id, interrupt_artifact(result["__interrupt__"]))
        )
    else:
        status["state"] = "completed"
        if isinstance(result, dict):
            artifact = response_artifact(reply_parts(result), assistant_id)
            events.append(
                {
                    **artifact_update(task_id, context_id, artifact),
                    "append": False,
                    "lastChunk": True,
                }
            )
    return [*events, status_update(task_id, context_id, status, final=True)]
