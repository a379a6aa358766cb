"""A2A task names and states, read from the runs of a context (its thread).

A task is named `<context>:<run>` after its first run; later runs of the same task carry
the name in their `a2a` metadata, and a task's state is its latest run's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skeino.auth.authorize import Access
from skeino.errors import NotFound
from skeino.ids import is_uuid
from skeino.jsonrpc import INVALID_PARAMS, RpcError
from skeino.runs.manager import RunManager
from skeino.services.threads import ThreadService
from skeino.storage.base import Run

TASK_NOT_FOUND = -32001
TASK_NOT_CANCELABLE = -32002
UNSUPPORTED_OPERATION = -32004
MAX_HISTORY = 10
RUN_SCAN = 1000
STATES = {
    "pending": "submitted",
    "running": "working",
    "success": "completed",
    "interrupted": "canceled",
    "error": "failed",
    "timeout": "failed",
}
TERMINAL = frozenset({"completed", "failed", "canceled", "rejected"})


@dataclass(frozen=True)
class Task:
    task_id: str
    context_id: str
    run: Run
    state: str
    task_ids: dict[str, str]


def stamp_of(run: Run) -> dict[str, Any]:
    stamp = (run.get("metadata") or {}).get("a2a")
    return stamp if isinstance(stamp, dict) else {}


def task_id_of(context_id: str, run: Run) -> str:
    return str(stamp_of(run).get("task_id") or f"{context_id}:{run['run_id']}")


def task_ids_of(runs: list[Run], context_id: str, assistant_id: str) -> dict[str, str]:
    """Task start stamp → task name, for the runs of this assistant on a context."""
    return {
        stamp_of(run)["task_start_id"]: task_id_of(context_id, run)
        for run in runs
        if run["assistant_id"] == assistant_id and stamp_of(run).get("task_start_id")
    }


def check_history(length: Any, scope: Any) -> tuple[int | None, str]:
    if length is not None and (not isinstance(length, int) or isinstance(length, bool)):
        raise RpcError(INVALID_PARAMS, "historyLength must be a non-negative integer")
    if length is not None and length < 0:
        raise RpcError(INVALID_PARAMS, "historyLength must be a non-negative integer")
    if length is not None and length > MAX_HISTORY:
        raise RpcError(INVALID_PARAMS, f"historyLength cannot exceed {MAX_HISTORY}")
    if scope not in ("context", "task"):
        raise RpcError(INVALID_PARAMS, "historyScope must be 'context' or 'task'")
    return length, scope


def task_ref(params: dict[str, Any]) -> tuple[str, str | None]:
    task_id, context_id = params.get("id"), params.get("contextId")
    if not task_id:
        raise RpcError(INVALID_PARAMS, "Missing required parameter: id (task_id)")
    if not isinstance(task_id, str) or not isinstance(context_id, str | None):
        raise RpcError(INVALID_PARAMS, "Task id and contextId must be strings")
    return task_id, context_id


async def find_task(
    runs: RunManager,
    threads: ThreadService,
    task_id: str,
    context_id: str | None,
    assistant_id: str,
    access: Access | None,
) -> Task | None:
    """The task of that name on this assistant, or None when there is none."""
    named, _, run_id = task_id.rpartition(":")
    if named and context_id and named != context_id:
        return None
    context_id = context_id or named
    if not (is_uuid(context_id) and is_uuid(run_id)):
        return None
    try:
        anchor = await runs.get(context_id, run_id, access)
        thread = await threads.get(context_id, access)
    except NotFound:
        return None
    stored = stamp_of(anchor).get("task_id")
    if anchor["assistant_id"] != assistant_id or (stored and stored != task_id):
        return None
    found = await runs.list_runs(context_id, None, RUN_SCAN, 0, access)
    latest, is_newest = anchor, False
    for run in found:
        if run["assistant_id"] == assistant_id and (
            run["run_id"] == run_id or stamp_of(run).get("task_id") == task_id
        ):
            latest, is_newest = run, run["run_id"] == found[0]["run_id"]
            break
    state = STATES.get(latest["status"], "submitted")
    if state == "completed" and is_newest and thread["status"] == "interrupted":
        state = "input-required"
    return Task(task_id, context_id, latest, state, task_ids_of(found, context_id, assistant_id))
