"""A2A `ListTasks` (v1.0): the tasks of one assistant across the caller's contexts, newest
first, paged by a numeric offset token, as the official server lists them.

Contexts are the caller's threads (up to 1,000, or the one `contextId` names) and a
task's state is read as `tasks/get` reads it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from skeino.auth.authorize import Access
from skeino.errors import NotFound
from skeino.jsonrpc import INVALID_PARAMS, RpcError
from skeino.models.threads import ThreadSearch
from skeino.runs.manager import RunManager
from skeino.services.a2a_parts import history
from skeino.services.a2a_tasks import (
    RUN_SCAN,
    TASK_STATES,
    check_history,
    run_messages,
    state_of,
    task_id_of,
    task_ids_of,
)
from skeino.services.state import StateService
from skeino.storage.base import Run, Thread

CONTEXT_SCAN = 1000


def _checked(params: dict[str, Any], scope: str) -> tuple[int, int | None, str, str | None]:
    """Page size, history length and scope, and the wanted state, refused as upstream."""
    size = params.get("pageSize", 50)
    if not isinstance(size, int) or not 1 <= size <= 100:
        raise RpcError(INVALID_PARAMS, "pageSize must be an integer between 1 and 100.")
    length, scope = check_history(params.get("historyLength"), params.get("historyScope") or scope)
    wanted = params.get("status")
    if isinstance(wanted, str) and wanted.startswith("TASK_STATE_"):
        wanted = wanted.removeprefix("TASK_STATE_").lower().replace("_", "-")
    if wanted is not None and wanted not in TASK_STATES:
        raise RpcError(INVALID_PARAMS, f"Invalid status value: '{params.get('status')}'.")
    if not _is_timestamp(params.get("statusTimestampAfter", "")):
        raise RpcError(INVALID_PARAMS, "statusTimestampAfter must be a valid ISO 8601 timestamp.")
    token = params.get("pageToken")
    if token is not None and not isinstance(token, str):
        raise RpcError(INVALID_PARAMS, "pageToken must be a string.")
    if token and not token.isdigit():
        raise RpcError(INVALID_PARAMS, "Invalid pageToken.")
    if not isinstance(params.get("contextId"), str | None):
        raise RpcError(INVALID_PARAMS, "contextId must be a string.")
    return size, length, scope, wanted


def _is_timestamp(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return value == "" or bool(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return False


async def _contexts(
    state: StateService, context_id: str | None, access: Access | None
) -> list[Thread]:
    if context_id is None:
        page = await state.threads.search(ThreadSearch(limit=CONTEXT_SCAN), access)
        return page.rows  # type: ignore[return-value]
    try:
        return [await state.threads.get(context_id, access)]
    except NotFound:
        return []


async def list_tasks(
    runs: RunManager,
    state: StateService,
    assistant_id: str,
    params: dict[str, Any],
    scope: str,
    access: Access | None,
) -> dict[str, Any]:
    size, length, scope, wanted = _checked(params, scope)
    after = params.get("statusTimestampAfter")
    found: dict[str, tuple[dict[str, Any], Run, dict[str, str]]] = {}
    for thread in await _contexts(state, params.get("contextId"), access):
        context_id = thread["thread_id"]
        context_runs = await runs.list_runs(context_id, None, RUN_SCAN, 0, access)
        names = task_ids_of(context_runs, context_id, assistant_id)
        for run in context_runs:
            task_id = task_id_of(context_id, run)
            if run["assistant_id"] != assistant_id or task_id in found:
                continue
            task_state = state_of(run, thread, run["run_id"] == context_runs[0]["run_id"])
            if (wanted and task_state != wanted) or (after and run["updated_at"] < after):
                continue
            task: dict[str, Any] = {"kind": "task", "id": task_id, "contextId": context_id}
            task["status"] = {"state": task_state, "timestamp": run["updated_at"]}
            found[task_id] = (task, run, names)
    listed = sorted(found.values(), key=lambda entry: entry[0]["status"]["timestamp"])[::-1]
    offset = int(params.get("pageToken") or 0)
    page = listed[offset : offset + size]
    for task, run, names in page:
        if not params.get("includeArtifacts", False):
            task["artifacts"] = []
        if length != 0:
            messages = await run_messages(state, task["contextId"], run["run_id"], access)
            task["history"] = history(messages, task["id"], task["contextId"], names, length, scope)
    following = offset + len(page)
    return {
        "tasks": [task for task, _, _ in page],
        "totalSize": len(listed),
        "pageSize": len(page),
        "nextPageToken": str(following) if following < len(listed) else "",
    }
